using System.CommandLine;
using ImagingCommons.Cli.Commands;

using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>Runs the verbs of <c>idc</c> in-process, as a user would type them, with their output and errors captured.</summary>
public static class CommandLine
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand
        {
            UsersCommand.Create(), KeysCommand.Create(), AuthCommand.Create(), ServeCommand.Create(), GenerateCommand.Create(), ImportCommand.Create(),
        };
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}
