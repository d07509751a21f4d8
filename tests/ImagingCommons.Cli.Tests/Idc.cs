using ImagingCommons.Cli;

namespace ImagingCommons.Cli.Tests;

/// <summary>Runs <c>idc</c> in-process exactly as Program.cs does, capturing standard output and error.</summary>
public static class Idc
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var exitCode = await IdcCommandLine.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}
