using System.CommandLine;

namespace ImagingCommons.Cli;

/// <summary>
/// The examples of the operator verbs' help (the client verbs carry theirs in their descriptions), added in one place
/// so that every verb's --help shows how it is typed.
/// </summary>
internal static class OperatorExamples
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        ["serve"] = ["idc serve --data ./data --urls http://127.0.0.1:5000", "idc serve --data ./data --generate --dev-auth --query-deadline-ms 5000"],
        ["import"] = ["idc import --data ./data --release 24.0 --date 2026-05-15 --from ./idc-tables"],
        ["generate"] = ["idc generate --data ./data --scale 0.01 --seed 1"],
        ["ingest"] = ["idc ingest --data ./data --release 1.0 --date 2026-03-01 --from ./dicom --collection my_archive --base-url s3://my-bucket/idc"],
        ["upload"] = ["idc upload --data ./data --release 1.0 --endpoint http://127.0.0.1:9000 --create-bucket"],
        ["users"] = ["idc users add --data ./data --email ada@example.org --first-name Ada --last-name Lovelace", "idc users list --data ./data"],
        ["users add"] = ["idc users add --data ./data --email ada@example.org --first-name Ada --last-name Lovelace"],
        ["users list"] = ["idc users list --data ./data"],
        ["keys"] = ["idc keys create --data ./data --email ada@example.org", "idc keys list --data ./data", "idc keys revoke --data ./data --id 0123456789ab"],
        ["keys create"] = ["idc keys create --data ./data --email ada@example.org"],
        ["keys revoke"] = ["idc keys revoke --data ./data --id 0123456789ab"],
        ["keys list"] = ["idc keys list --data ./data --email ada@example.org"],
        ["auth"] = ["idc auth dev-token --data ./data --email ada@example.org"],
        ["auth dev-token"] = ["idc auth dev-token --data ./data --email ada@example.org"],
    };

    /// <summary>Appends "Examples:" to every verb of <paramref name="root"/> whose description has none.</summary>
    public static void AddTo(RootCommand root)
    {
        foreach (var command in root.Subcommands)
        {
            Add(command, command.Name);
        }
    }

    private static void Add(Command command, string path)
    {
        if (Examples.TryGetValue(path, out var examples) && command.Description?.Contains("Examples:", StringComparison.Ordinal) != true)
        {
            command.Description = (command.Description ?? "") + "\n\nExamples:\n" + string.Join("\n", examples.Select(e => "  " + e));
        }

        foreach (var child in command.Subcommands)
        {
            Add(child, path + " " + child.Name);
        }
    }
}
