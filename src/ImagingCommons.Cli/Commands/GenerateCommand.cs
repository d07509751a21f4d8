using System.CommandLine;
using System.Globalization;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;

namespace ImagingCommons.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var data = DataOption.Create("Data directory to write the releases into");
        var scale = new Option<double>("--scale") { Description = "Size relative to IDC v24 (1 = ~1 M series, ~48 M instances)", DefaultValueFactory = _ => ReleaseGenerator.DefaultScale };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed and scale give the same releases", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", "Generate IDC-shaped releases 23.0 and 24.0 from the real IDC metadata") { data, scale, seed };
        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                var directory = DataOption.ForWriting(parse, data, "generate");
                var report = ReleaseGenerator.Generate(
                    directory,
                    new GeneratorOptions(parse.GetValue(scale), parse.GetValue(seed)),
                    Console.WriteLine,
                    cancellationToken);
                Console.WriteLine(report.ReleasesWritten.Count == 0
                    ? $"nothing to write: releases already held in {directory.Path}"
                    : string.Create(CultureInfo.InvariantCulture, $"wrote {string.Join(", ", report.ReleasesWritten)} to {directory.Path}: {report.Bytes / 1e6:N1} MB in {report.Elapsed.TotalSeconds:N1} s"));
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or InvalidDataException or System.Data.Common.DbException)
            {
                Console.Error.WriteLine($"idc generate: {e.Message}");
                return Task.FromResult(1);
            }
        });
        return command;
    }
}
