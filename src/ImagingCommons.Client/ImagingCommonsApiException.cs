namespace ImagingCommons.Client;

/// <summary>
/// The server refused a request (4xx), or kept failing after the retries (5xx): the HTTP status, and the server's own
/// <c>code</c> and <c>message</c> (on /v1 and /v2 the spec's <c>{"code","message"}</c> body; on our /api routes the
/// problem details' title and detail).
/// </summary>
public class ImagingCommonsApiException : Exception
{
    /// <summary>An exception for an answer.</summary>
    public ImagingCommonsApiException(int statusCode, int? code, string serverMessage, string? requestPath = null, Exception? innerException = null)
        : base(Describe(statusCode, serverMessage, requestPath), innerException)
    {
        StatusCode = statusCode;
        Code = code;
        ServerMessage = serverMessage;
        RequestPath = requestPath;
    }

    /// <summary>An exception with a message only.</summary>
    public ImagingCommonsApiException(string message)
        : base(message)
    {
        ServerMessage = message;
    }

    /// <summary>An exception with a message and its cause.</summary>
    public ImagingCommonsApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        ServerMessage = message;
    }

    /// <summary>An exception without details.</summary>
    public ImagingCommonsApiException()
        : this("The server refused the request.")
    {
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int StatusCode { get; }

    /// <summary>The <c>code</c> of the answer's body (equal to the status on this server), or null when it had none.</summary>
    public int? Code { get; }

    /// <summary>What the server said went wrong, as it said it.</summary>
    public string ServerMessage { get; }

    /// <summary>The path (and query) of the request, for messages.</summary>
    public string? RequestPath { get; }

    private static string Describe(int status, string message, string? path) =>
        path is null ? $"{status}: {message}" : $"{status} from {path}: {message}";
}

/// <summary>A query kept answering 202 (still running) for longer than <see cref="ImagingCommonsClientOptions.PendingTimeout"/>.</summary>
public sealed class ImagingCommonsPendingTimeoutException : TimeoutException
{
    /// <summary>An exception for a query that is still running.</summary>
    public ImagingCommonsPendingTimeoutException(string nextPage, TimeSpan waited)
        : base($"The server was still running the query after {waited.TotalSeconds:0} s; resume it later with its next_page token.")
    {
        NextPage = nextPage;
    }

    /// <summary>An exception without a token.</summary>
    public ImagingCommonsPendingTimeoutException()
        : base("The server was still running the query.")
    {
        NextPage = "";
    }

    /// <summary>An exception with a message.</summary>
    public ImagingCommonsPendingTimeoutException(string message)
        : base(message)
    {
        NextPage = "";
    }

    /// <summary>An exception with a message and its cause.</summary>
    public ImagingCommonsPendingTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        NextPage = "";
    }

    /// <summary>The token that resumes the query (pass it to <c>AsPages</c> as the continuation token).</summary>
    public string NextPage { get; }
}
