using System.CommandLine;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// The <c>--data</c> option of every verb that reads or writes a data directory: one default for all of them and for
/// the server (<see cref="ServerOptions.DefaultDataDirectory"/>, relative to the working directory), and verbs that
/// write say which folder they write to, so a default never writes somewhere unexpected unnoticed.
/// </summary>
internal static class DataOption
{
    public static Option<string> Create(string description) => new("--data")
    {
        Description = $"{description} (default: ./{ServerOptions.DefaultDataDirectory})",
        DefaultValueFactory = _ => ServerOptions.DefaultDataDirectory,
    };

    /// <summary>The data directory, announced on standard error as the folder this verb writes to.</summary>
    public static DataDirectory ForWriting(ParseResult parse, Option<string> option, string verb)
    {
        var directory = new DataDirectory(parse.GetValue(option)!);
        parse.InvocationConfiguration.Error.WriteLine($"idc {verb}: data directory {directory.Path}");
        return directory;
    }
}
