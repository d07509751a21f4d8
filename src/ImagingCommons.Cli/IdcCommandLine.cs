using System.CommandLine;
using System.CommandLine.Parsing;
using ImagingCommons.Cli.Commands;

namespace ImagingCommons.Cli;

/// <summary>
/// The <c>idc</c> command line: every verb, and the exit codes of the README (0 done, 1 failure, 2 usage, 3 a download
/// that did not verify, 130 cancelled). Program.cs and the tests run it the same way.
/// </summary>
internal static class IdcCommandLine
{
    public const int Done = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int VerificationFailed = 3;
    public const int Cancelled = 130;

    public static RootCommand Create()
    {
        var root = Root();
        OperatorExamples.AddTo(root);
        return root;
    }

    private static RootCommand Root() => new("idc: the ImagingCommons command line. Operator verbs (serve, import, generate, ingest, upload, users, keys, auth) work on a "
        + "data directory; client verbs talk to a server (--server, IMAGINGCOMMONS_SERVER, default http://localhost:5000) and include idc-index's "
        + "download, download-from-manifest and download-from-selection.")
    {
        ServeCommand.Create(),
        ImportCommand.Create(),
        GenerateCommand.Create(),
        IngestCommand.Create(),
        UploadCommand.Create(),
        UsersCommand.Create(),
        KeysCommand.Create(),
        AuthCommand.Create(),
        VersionsCommand.Create(),
        CollectionsCommand.Create(),
        FiltersCommand.Create(),
        FieldsCommand.Create(),
        PreviewCommand.Create(),
        ManifestCommand.Create(),
        CohortsCommand.Create(),
        DownloadCommand.Create(),
        DownloadFromManifestCommand.Create(),
        DownloadFromSelectionCommand.Create(),
    };

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse is exit code 2, with suggestions that make sense.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var root = Create();
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        if (parse.Errors.Count > 0)
        {
            await ReportAsync(parse, configuration.Error);
            return Usage;
        }

        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await configuration.Error.WriteLineAsync("cancelled");
            return Cancelled;
        }
    }

    private static async Task ReportAsync(ParseResult parse, TextWriter error)
    {
        foreach (var problem in parse.Errors)
        {
            await error.WriteLineAsync("error: " + problem.Message);
        }

        var command = parse.CommandResult.Command;
        foreach (var token in parse.UnmatchedTokens.Distinct(StringComparer.Ordinal))
        {
            var suggestions = Suggestions.For(token, command);
            if (suggestions.Count > 0)
            {
                await error.WriteLineAsync($"'{token}': did you mean {string.Join(" or ", suggestions.Select(s => "'" + s + "'"))}?");
            }
        }

        await error.WriteLineAsync($"See '{CommandPath(parse.CommandResult)} --help'.");
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult command; current = command.Parent)
        {
            names.Add(command.Parent is null ? "idc" : command.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>
/// Suggestions for a mistyped verb or option: names of the command's verbs (for a word) or options (for a token
/// starting with '-') within a small edit distance, so that "downlod" suggests "download" and "./d" suggests nothing.
/// </summary>
internal static class Suggestions
{
    public static IReadOnlyList<string> For(string token, Command command)
    {
        if (token.Length == 0 || token.Contains('/', StringComparison.Ordinal) || token.Contains('\\', StringComparison.Ordinal) || token.Contains('.', StringComparison.Ordinal))
        {
            return [];
        }

        var isOption = token.StartsWith('-');
        var candidates = isOption
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        var word = isOption ? token.TrimStart('-') : token;
        if (word.Length < 2)
        {
            return [];
        }

        return [.. candidates.Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: Distance(word.ToLowerInvariant(), (isOption ? c.TrimStart('-') : c).ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, c.Name.TrimStart('-').Length / 3) || c.Name.TrimStart('-').StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(c => c.Name)];
    }

    /// <summary>Optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
