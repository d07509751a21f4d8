using System.Diagnostics;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>
/// The installed tool: the CLI packed as a .NET tool (from the build the tests ran on), installed into a temporary tool
/// path from that package alone, and run as a user runs it.
/// </summary>
public sealed class ToolPackageTests(ApiServer server) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task The_packed_tool_installs_and_answers_version_and_collections()
    {
        using var scratch = new Scratch();
        var project = Path.Combine(RepositoryRoot(), "src", "ImagingCommons.Cli", "ImagingCommons.Cli.csproj");
        var artifacts = scratch.File("artifacts");
        var tools = scratch.File("tools");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

        var pack = await RunAsync("dotnet", "pack", project, "--no-build", "-c", configuration, "-o", artifacts, "-nologo");
        Assert.True(pack.Code == 0, pack.Output);
        Assert.Single(Directory.GetFiles(artifacts, "ImagingCommons.Cli.*.nupkg"));

        // Only the package just made: no other source is asked.
        var config = scratch.File("nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="artifacts" value="{artifacts}" /></packageSources></configuration>
            """, TestContext.Current.CancellationToken);
        var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "ImagingCommons.Cli");
        Assert.True(install.Code == 0, install.Output);

        var idc = Path.Combine(tools, OperatingSystem.IsWindows() ? "idc.exe" : "idc");
        var version = await RunAsync(idc, "--version");
        var collections = await RunAsync(idc, "collections", "--server", server.App.Address.ToString());

        Assert.True(version.Code == 0, version.Output);
        Assert.StartsWith("0.1.0", version.Output.Trim(), StringComparison.Ordinal);
        Assert.True(collections.Code == 0, collections.Output);
        Assert.StartsWith("collection_id\tsubject_count\tcancer_type\timage_types\tlocation\tspecies\tdate_updated", collections.Output, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImagingCommons.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests do not run inside the repository.");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
