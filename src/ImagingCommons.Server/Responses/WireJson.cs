using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ImagingCommons.Contracts;

namespace ImagingCommons.Server.Responses;

/// <summary>How every /v1 and /v2 body is written: the contracts' source-generated serializer, one content type.</summary>
internal static class WireJson
{
    /// <summary>The one content type of every JSON answer (the original's Flask wrote it without a charset).</summary>
    public const string ContentType = "application/json";

    /// <summary>
    /// The bodies are application/json, never inlined in HTML: '&lt;', '&gt;' and '&amp;' of the HTML descriptions are
    /// kept readable, as the original wrote them.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        TypeInfoResolver = ContractsJsonContext.Default,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public static async Task WriteAsync<T>(HttpContext context, int status, T value)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, value, TypeInfo<T>(), context.RequestAborted);
    }

    /// <summary>The wire form of a DATE column.</summary>
    public static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
