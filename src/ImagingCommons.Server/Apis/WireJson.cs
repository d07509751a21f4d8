using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ImagingCommons.Server.Errors;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// Source-generated serialization of every wire record. Key names come from <c>JsonPropertyName</c> (the spec's
/// exact spelling) and properties are declared in ordinal key order, the order the original Flask service emitted.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AboutResponse))]
[JsonSerializable(typeof(VersionsResponse))]
[JsonSerializable(typeof(V1CollectionsResponse))]
[JsonSerializable(typeof(V2CollectionsResponse))]
[JsonSerializable(typeof(V1AnalysisResultsResponse))]
[JsonSerializable(typeof(V2AnalysisResultsResponse))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

internal static class WireJson
{
    // The bodies are application/json, never inlined in HTML: keep '<', '>' and '&' of the HTML descriptions readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static PrecomputedJson<T> Precompute<T>(T value, JsonTypeInfo<T> typeInfo) => new(Serialize(value, typeInfo));

    /// <summary>The wire form of a DATE column.</summary>
    public static string? Date(DateOnly? date) =>
        date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
