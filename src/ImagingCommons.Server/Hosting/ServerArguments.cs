namespace ImagingCommons.Server.Hosting;

/// <summary>
/// The command-line switches the server understands, the same for <c>dotnet run --project src/ImagingCommons.Server
/// -- …</c> and <c>idc serve …</c>: each becomes the configuration key it stands for, so configuration files,
/// environment variables and switches all reach the one bound <see cref="ServerOptions"/>.
/// </summary>
public static class ServerArguments
{
    private static readonly Dictionary<string, string> Valued = new(StringComparer.Ordinal)
    {
        ["--data"] = $"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)}",
        ["--query-deadline-ms"] = $"{ServerOptions.Section}:{nameof(ServerOptions.QueryDeadlineMs)}",
        ["--public-url"] = $"{ServerOptions.Section}:{nameof(ServerOptions.PublicUrl)}",
    };

    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--dev-auth"] = $"{ServerOptions.Section}:Auth:DevIssuer",
        ["--generate"] = $"{ServerOptions.Section}:{nameof(ServerOptions.GenerateDefaultRelease)}",
    };

    /// <summary>The arguments with our switches spelled as configuration keys (<c>--dev-auth</c> → <c>--ImagingCommons:Auth:DevIssuer=true</c>).</summary>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (Flags.TryGetValue(name, out var flagKey))
            {
                result.Add($"--{flagKey}={inline ?? "true"}");
            }
            else if (Valued.TryGetValue(name, out var key) && (inline is not null || i + 1 < args.Count))
            {
                result.Add($"--{key}={inline ?? args[++i]}");
            }
            else
            {
                result.Add(arg);
            }
        }

        return [.. result];
    }
}
