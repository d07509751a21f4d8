using System.Text.Json;

namespace ImagingCommons.Server.Requests;

/// <summary>Reading request bodies and query strings without ever letting bad input become a 500.</summary>
internal static class RequestInput
{
    /// <summary>Parses the body as JSON; null when it is empty or not JSON.</summary>
    /// <exception cref="BadHttpRequestException">413: the body is larger than the configured bound (Kestrel enforces it too).</exception>
    public static async Task<JsonDocument?> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var limit = request.HttpContext.RequestServices.GetRequiredService<ServerOptions>().Limits.MaxRequestBodyBytes;
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    // A body without Content-Length that grows past the bound (the middleware answers the others).
                    throw new BadHttpRequestException(Contracts.ErrorTexts.BodyTooLarge(limit), StatusCodes.Status413PayloadTooLarge);
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
