using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client.Http;

/// <summary>One answer of a route that can answer 202: the 200 body, or the 202's resume token.</summary>
internal readonly record struct Answer<T>(T? Value, string? PendingToken)
    where T : class;

/// <summary>
/// Sends requests to the server and reads its answers: the bearer credential on every request, JSON bodies through the
/// contract's source-generated serializers, 4xx/5xx turned into <see cref="ImagingCommonsApiException"/> with the
/// server's own code and message.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseAddress, ImagingCommonsClientOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public ImagingCommonsClientOptions Options => options;

    public HttpClient Http => http;

    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var answer = await SendAsync(HttpMethod.Get, path, null, type, retry: true, cancellationToken).ConfigureAwait(false);
        return answer.Value ?? throw Unexpected202(path);
    }

    public async Task<T> SendAsync<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, bool retry, CancellationToken cancellationToken)
        where T : class
    {
        var answer = await SendAsync(method, path, Serialize(body, bodyType), type, retry, cancellationToken).ConfigureAwait(false);
        return answer.Value ?? throw Unexpected202(path);
    }

    public Task<Answer<T>> SendPagedAsync<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        SendAsync(method, path, Serialize(body, bodyType), type, retry: true, cancellationToken);

    public Task<Answer<T>> GetPagedAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        SendAsync(HttpMethod.Get, path, null, type, retry: true, cancellationToken);

    private static byte[] Serialize<TBody>(TBody body, JsonTypeInfo<TBody> type) => JsonSerializer.SerializeToUtf8Bytes(body, type);

    private async Task<Answer<T>> SendAsync<T>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<T> type, bool retry, CancellationToken cancellationToken)
        where T : class
    {
        // Absolute request URIs: a caller's HttpClient is used as it is, its BaseAddress neither needed nor changed.
        using var request = new HttpRequestMessage(method, new Uri(baseAddress, path));
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = Json;
        }

        if (!retry)
        {
            request.Options.Set(ClientPipeline.NoRetry, true);
        }

        if (options.Credential is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await credential.GetTokenAsync(cancellationToken).ConfigureAwait(false));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new Answer<T>(null, PendingToken(bytes, path));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, bytes, path);
        }

        try
        {
            return new Answer<T>(JsonSerializer.Deserialize(bytes, type) ?? throw new JsonException("The body is null."), null);
        }
        catch (JsonException e)
        {
            throw new ImagingCommonsApiException((int)response.StatusCode, null, "The server's answer could not be read: " + e.Message, path, e);
        }
    }

    /// <summary>The token of a 202: top-level <c>next_page</c> (v1 manifests, our routes) or <c>query_info.next_page</c>.</summary>
    private static string PendingToken(byte[] bytes, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.TryGetProperty("next_page", out var top) && top.ValueKind == JsonValueKind.String && top.GetString() is { Length: > 0 } token)
            {
                return token;
            }

            if (root.TryGetProperty("query_info", out var info) && info.TryGetProperty("next_page", out var nested) && nested.GetString() is { Length: > 0 } inner)
            {
                return inner;
            }
        }
        catch (JsonException)
        {
        }

        throw new ImagingCommonsApiException(202, 202, "The server answered 202 without a next_page token to resume with.", path);
    }

    /// <summary>The server's words: <c>{"code","message"}</c> (v1, v2), problem details (our /api routes), or the text.</summary>
    internal static ImagingCommonsApiException Failure(HttpResponseMessage response, byte[] bytes, string path)
    {
        var status = (int)response.StatusCode;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    int? code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
                    return new ImagingCommonsApiException(status, code, message.GetString()!, path);
                }

                if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
                {
                    var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    return new ImagingCommonsApiException(status, status, detail is null ? title.GetString()! : detail, path);
                }
            }
        }
        catch (JsonException)
        {
        }

        var text = System.Text.Encoding.UTF8.GetString(bytes).Trim();
        return new ImagingCommonsApiException(status, null, text.Length == 0 ? response.ReasonPhrase ?? "no message" : text, path);
    }

    private static ImagingCommonsApiException Unexpected202(string path) =>
        new(202, 202, "The server answered 202 on a route that does not page.", path);

    /// <summary>A query string value, escaped.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);
}
