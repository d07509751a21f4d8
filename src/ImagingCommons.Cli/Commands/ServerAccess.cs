using System.CommandLine;
using System.Net.Sockets;
using ImagingCommons.Client;

namespace ImagingCommons.Cli.Commands;

/// <summary>A usage mistake found after parsing (a malformed --filter, an unknown format): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// What every client verb shares: the server (<c>--server</c>, else IMAGINGCOMMONS_SERVER, else http://localhost:5000),
/// the API key (<c>--api-key</c>, else IMAGINGCOMMONS_API_KEY), and one way of turning failures into a message on
/// standard error and an exit code.
/// </summary>
internal sealed class ServerAccess
{
    public const string ServerVariable = "IMAGINGCOMMONS_SERVER";
    public const string ApiKeyVariable = "IMAGINGCOMMONS_API_KEY";
    public const string DefaultServer = "http://localhost:5000";

    private readonly Option<string> _server = new("--server")
    {
        Description = $"The server's address (default: ${ServerVariable}, else {DefaultServer})",
        HelpName = "URL",
    };

    private readonly Option<string> _apiKey = new("--api-key")
    {
        Description = $"An API key of the server (idc keys create), sent as a bearer token (default: ${ApiKeyVariable})",
        HelpName = "KEY",
    };

    /// <summary>Adds <c>--server</c> and <c>--api-key</c> to a verb.</summary>
    public ServerAccess(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_apiKey);
    }

    public Uri Server(ParseResult parse)
    {
        var text = parse.GetValue(_server) ?? Environment.GetEnvironmentVariable(ServerVariable) ?? DefaultServer;
        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"'{text}' is not a server address (http://host:port).");
    }

    public ImagingCommonsClient Connect(ParseResult parse, Action<RetryNotice>? onRetry = null)
    {
        var key = parse.GetValue(_apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        return new ImagingCommonsClient(Server(parse), new ImagingCommonsClientOptions
        {
            Credential = string.IsNullOrWhiteSpace(key) ? null : ImagingCommonsCredential.ApiKey(key),
            OnRetry = onRetry,
        });
    }

    /// <summary>Runs a client verb: the server's refusals, an unreachable server and bad input become one line on stderr and an exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<ImagingCommonsClient, TextWriter, TextWriter, Task<int>> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        Uri? server = null;
        try
        {
            server = Server(parse);
            using var client = Connect(parse, notice => error.WriteLine(
                $"retrying in {notice.Delay.TotalSeconds:0.#} s: {(notice.StatusCode is { } status ? "the server answered " + status : notice.Exception?.Message)}"));
            var code = await body(client, output, error);
            await output.FlushAsync(CancellationToken.None);
            return code;
        }
        catch (UsageException usage)
        {
            await error.WriteLineAsync("error: " + usage.Message);
            return IdcCommandLine.Usage;
        }
        catch (ImagingCommonsApiException refused)
        {
            await error.WriteLineAsync($"error: the server answered {refused.StatusCode}: {refused.ServerMessage}");
            return IdcCommandLine.Failure;
        }
        catch (ImagingCommonsPendingTimeoutException pending)
        {
            await error.WriteLineAsync("error: " + pending.Message);
            return IdcCommandLine.Failure;
        }
        catch (HttpRequestException unreachable) when (unreachable.InnerException is SocketException || unreachable.HttpRequestError == HttpRequestError.ConnectionError)
        {
            await error.WriteLineAsync($"error: cannot reach the server at {server}: {unreachable.Message} (set --server or {ServerVariable})");
            return IdcCommandLine.Failure;
        }
        catch (HttpRequestException failed)
        {
            await error.WriteLineAsync($"error: {failed.Message}");
            return IdcCommandLine.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("cancelled");
            return IdcCommandLine.Cancelled;
        }
        catch (IOException io)
        {
            await error.WriteLineAsync("error: " + io.Message);
            return IdcCommandLine.Failure;
        }
    }
}

/// <summary>Text output helpers: tab-separated lines (tabs and newlines in values escaped) and JSON.</summary>
internal static class Tsv
{
    public static string Line(params IEnumerable<object?> values) =>
        string.Join('\t', values.Select(v => v is null ? "" : Clean(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "")));

    private static string Clean(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
        .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>The <c>--format</c> of the listing verbs.</summary>
internal static class ListFormat
{
    public static Option<string> Option() => new Option<string>("--format")
    {
        Description = "tsv (a header line, then one line per item) or json (the server's records)",
        DefaultValueFactory = _ => "tsv",
    }.AcceptOnlyFromAmong("tsv", "json");
}
