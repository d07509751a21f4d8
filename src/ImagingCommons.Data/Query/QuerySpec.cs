using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ImagingCommons.Data.Query;

/// <summary>The kinds of result the API pages through; each has its own output shape.</summary>
public enum QueryKind
{
    V1Manifest,
    V1Query,
    V1DicomMetadata,
    V2Manifest,

    /// <summary>v1 cohort objects: the distinct id paths down to <see cref="QuerySpec.Level"/>, one row per leaf.</summary>
    V1CohortObjects,
}

/// <summary>The names the kinds have in the canonical JSON of tokens (never change them: tokens outlive releases of the server).</summary>
public static class QueryKinds
{
    public static string Name(this QueryKind kind) => kind switch
    {
        QueryKind.V1Manifest => "v1-manifest",
        QueryKind.V1Query => "v1-query",
        QueryKind.V1DicomMetadata => "v1-dicom",
        QueryKind.V2Manifest => "v2-manifest",
        QueryKind.V1CohortObjects => "v1-cohort-objects",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? name, out QueryKind kind)
    {
        (var known, kind) = name switch
        {
            "v1-manifest" => (true, QueryKind.V1Manifest),
            "v1-query" => (true, QueryKind.V1Query),
            "v1-dicom" => (true, QueryKind.V1DicomMetadata),
            "v2-manifest" => (true, QueryKind.V2Manifest),
            "v1-cohort-objects" => (true, QueryKind.V1CohortObjects),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>The API version a kind belongs to.</summary>
    public static ApiVersion Version(this QueryKind kind) => kind == QueryKind.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;
}

/// <summary>
/// A complete, self-contained query definition. Its canonical JSON travels inside next_page tokens, so that any
/// replica (or the same one after a restart) can recompute exactly the same ordered result from an immutable release.
/// </summary>
/// <remarks>
/// The canonical JSON is <c>{"k":kind,"f":filters,"o":fields,"c":counts,"g":group_size[,"l":level][,"fv":"v1"|"v2"],"Version":0|1}</c>,
/// written exactly as the reflection serializer of earlier versions wrote this record (its trailing "Version" key
/// included), so that tokens issued before keep decoding and result keys stay the same.
/// </remarks>
public sealed record QuerySpec
{
    public required QueryKind Kind { get; init; }

    /// <summary>The validated filters; their <see cref="FilterSet.Version"/> says whose rules they follow.</summary>
    public required FilterSet Filters { get; init; }

    /// <summary>v2: canonical field names; v1 manifest: the selected output keys; v1 query: the fields.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    public bool Counts { get; init; }

    public bool GroupSize { get; init; }

    /// <summary>v1 cohort objects: the return_level (a <see cref="CohortLevels"/> name). Null for the other kinds.</summary>
    public string? Level { get; init; }

    public ApiVersion Version => Kind.Version();

    /// <summary>
    /// The rules the filters follow. It differs from the kind's version when a saved cohort created through v1 is read
    /// through v2 (or the reverse): its filters keep the meaning they were sent with.
    /// </summary>
    public ApiVersion FilterVersion => Filters.Version;

    public string ToCanonicalJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("k", Kind.Name());
            writer.WritePropertyName("f");
            Filters.WriteTo(writer, normalizeCollectionIds: false);
            writer.WriteStartArray("o");
            foreach (var field in Fields)
            {
                writer.WriteStringValue(field);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("c", Counts);
            writer.WriteBoolean("g", GroupSize);
            if (Level is not null)
            {
                writer.WriteString("l", Level);
            }

            // Only when the filters follow another version's rules, so that previews and same-version cohorts share results and tokens.
            if (FilterVersion != Version)
            {
                writer.WriteString("fv", FilterVersion == ApiVersion.V1 ? "v1" : "v2");
            }

            writer.WriteNumber("Version", (int)Version);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The spec of a canonical JSON text, its filters validated again; null when the text is not one.</summary>
    public static QuerySpec? FromCanonicalJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("k", out var k) || k.ValueKind != JsonValueKind.String || !QueryKinds.TryParse(k.GetString(), out var kind)
                || !root.TryGetProperty("f", out var f))
            {
                return null;
            }

            var filterVersion = kind.Version();
            if (root.TryGetProperty("fv", out var fv))
            {
                switch (fv.GetString())
                {
                    case "v1": filterVersion = ApiVersion.V1; break;
                    case "v2": filterVersion = ApiVersion.V2; break;
                    default: return null;
                }
            }

            if (!FilterParser.TryParse(filterVersion, f, out var filters, out _))
            {
                return null;
            }

            var fields = new List<string>();
            if (root.TryGetProperty("o", out var o))
            {
                foreach (var field in o.EnumerateArray())
                {
                    fields.Add(field.GetString() ?? throw new InvalidOperationException("A field name is null."));
                }
            }

            return new QuerySpec
            {
                Kind = kind,
                Filters = filters,
                Fields = fields,
                Counts = root.TryGetProperty("c", out var c) && c.GetBoolean(),
                GroupSize = root.TryGetProperty("g", out var g) && g.GetBoolean(),
                Level = root.TryGetProperty("l", out var l) ? l.GetString() : null,
            };
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
