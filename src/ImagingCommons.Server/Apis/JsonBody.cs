using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// Writes a JSON tree with a status code. Query results have dynamic keys (the requested fields), so these
/// routes build their bodies as JSON nodes rather than records.
/// </summary>
internal sealed class JsonBody(JsonNode body, int statusCode) : IResult
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int StatusCode => statusCode;

    public JsonNode Body => body;

    public static JsonBody Ok(JsonObject body) => new(body, StatusCodes.Status200OK);

    public static JsonBody Error(int code, string message) =>
        new(new JsonObject { ["code"] = code, ["message"] = message }, code);

    public static JsonBody BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    /// <summary>The body serialised once, for responses that only change with the release (see <see cref="ResponseCache"/>).</summary>
    public byte[] ToBytes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, WriterOptions);
        body.WriteTo(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}

/// <summary>
/// Bodies that depend only on the release (filters, fields, attributes): rendered once per release and key, then
/// written as bytes, because these metadata routes must sustain thousands of requests per second.
/// </summary>
internal sealed class ResponseCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _bodies = new(StringComparer.Ordinal);

    public IResult GetOrAdd(string key, Func<JsonBody> render)
    {
        var bytes = _bodies.GetOrAdd(key, _ => render().ToBytes());
        return Results.Bytes(bytes, "application/json");
    }

    /// <summary>As <see cref="GetOrAdd"/>, for bodies that need a query (rendered once; a concurrent first render is harmless).</summary>
    public async Task<IResult> GetOrAddAsync(string key, Func<Task<JsonBody>> render)
    {
        if (!_bodies.TryGetValue(key, out var bytes))
        {
            bytes = _bodies.GetOrAdd(key, (await render()).ToBytes());
        }

        return Results.Bytes(bytes, "application/json");
    }
}

/// <summary>Reading request bodies and query strings without ever letting bad input become a 500.</summary>
internal static class RequestInput
{
    /// <summary>The largest request body read (cohort definitions are small).</summary>
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>Parses the body as JSON; null when it is empty, too large, or not JSON.</summary>
    public static async Task<JsonDocument?> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            if (buffer.Length == 0)
            {
                return null;
            }

            var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            if (!Decodable(document.RootElement))
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// JSON escapes can spell a lone UTF-16 surrogate ("\ud800"), which parses but cannot be read as a string; such a
    /// body is malformed, so no handler ever meets an undecodable string.
    /// </summary>
    private static bool Decodable(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(Decodable);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => p.Name is not null && Decodable(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The last value of a query parameter, or null when absent.</summary>
    public static string? Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    /// <summary>v1 booleans are true only for the exact text "True", as Python's requests sends it.</summary>
    public static bool V1Bool(HttpRequest request, string name) => Query(request, name) == "True";

    public static bool TryPageSize(string? text, out int pageSize)
    {
        pageSize = 1000;
        if (text is null)
        {
            return true;
        }

        if (!long.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        // Past the documented maximum a page is simply shorter; zero or negative sizes ask for nothing and get one row.
        pageSize = (int)Math.Clamp(value, int.MinValue, int.MaxValue);
        return true;
    }
}
