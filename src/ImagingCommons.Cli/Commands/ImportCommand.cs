using System.CommandLine;
using System.Globalization;
using ImagingCommons.Data.Import;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Cli.Commands;

internal static class ImportCommand
{
    public static Command Create()
    {
        var data = DataOption.Create("Data directory holding the releases");
        var release = new Option<string>("--release") { Description = "IDC data version to create, like 24.0", Required = true };
        var date = new Option<string>("--date") { Description = "Date the release became active, yyyy-MM-dd", Required = true };
        var from = new Option<string>("--from") { Description = "Folder of IDC tables (dicom_pivot.csv or .parquet, ...)", Required = true };
        var command = new Command("import", "Build a release from a folder of IDC tables (see docs/release-format.md)") { data, release, date, from };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var directory = DataOption.ForWriting(parse, data, "import");
            try
            {
                var report = ReleaseImporter.Import(
                    directory,
                    parse.GetValue(release)!,
                    parse.GetValue(date)!,
                    parse.GetValue(from)!,
                    message => error.WriteLine("warning: " + message),
                    cancellationToken);
                output.WriteLine($"Imported release {report.Version} ({parse.GetValue(date)}) into {directory.Path}");
                var width = report.RowCounts.Keys.Max(k => k.Length);
                foreach (var (table, rows) in report.RowCounts)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table.PadRight(width)}  {rows,12:N0} rows"));
                }

                if (report.Warnings.Count > 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Warnings.Count} warning(s), see above."));
                }

                return Task.FromResult(0);
            }
            catch (ImportException e)
            {
                error.WriteLine("error: " + e.Message);
                return Task.FromResult(1);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine("error: the import was cancelled; nothing was written.");
                return Task.FromResult(130);
            }
        });
        return command;
    }
}
