using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ImagingCommons.Data.Query;

/// <summary>The kinds of result the API pages through; each has its own output shape.</summary>
public static class QueryKinds
{
    public const string V1Manifest = "v1-manifest";
    public const string V1Query = "v1-query";
    public const string V1DicomMetadata = "v1-dicom";
    public const string V2Manifest = "v2-manifest";

    /// <summary>v1 cohort objects: the distinct id paths down to <see cref="QuerySpec.Level"/>, one row per leaf.</summary>
    public const string V1CohortObjects = "v1-cohort-objects";
}

/// <summary>
/// A complete, self-contained query definition. Its canonical JSON travels inside next_page tokens, so that any
/// replica (or the same one after a restart) can recompute exactly the same ordered result from an immutable release.
/// </summary>
public sealed record QuerySpec
{
    [JsonPropertyName("k")]
    public required string Kind { get; init; }

    /// <summary>Validated filters (canonical keys, values as sent); re-validated when the spec is rebuilt.</summary>
    [JsonPropertyName("f")]
    public required JsonObject Filters { get; init; }

    /// <summary>v2: canonical field names; v1 manifest: the selected output keys; v1 query: the fields.</summary>
    [JsonPropertyName("o")]
    public IReadOnlyList<string> Fields { get; init; } = [];

    [JsonPropertyName("c")]
    public bool Counts { get; init; }

    [JsonPropertyName("g")]
    public bool GroupSize { get; init; }

    /// <summary>v1 cohort objects: the return_level (a <see cref="CohortLevels"/> name). Absent for the other kinds.</summary>
    [JsonPropertyName("l")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Level { get; init; }

    /// <summary>
    /// The API version whose rules the filters were validated under, when it differs from the kind's own: a saved
    /// cohort created through v1 and read through v2 (or the reverse) keeps its filters as they were sent.
    /// Omitted from the canonical JSON when null, so previews and same-version cohorts share results and tokens.
    /// </summary>
    [JsonPropertyName("fv")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FilterApi { get; init; }

    public ApiVersion Version => Kind == QueryKinds.V2Manifest ? ApiVersion.V2 : ApiVersion.V1;

    /// <summary>The rules the filters follow: <see cref="FilterApi"/> when set, else the kind's version.</summary>
    [JsonIgnore]
    public ApiVersion FilterVersion => FilterApi switch
    {
        "v1" => ApiVersion.V1,
        "v2" => ApiVersion.V2,
        _ => Version,
    };

    public string ToCanonicalJson() => JsonSerializer.Serialize(this);

    public static QuerySpec? FromCanonicalJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<QuerySpec>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public FilterSet ParseFilters()
    {
        using var document = JsonDocument.Parse(Filters.ToJsonString());
        return FilterParser.TryParse(FilterVersion, document.RootElement, out var set, out var error)
            ? set
            : throw new InvalidOperationException("A stored query no longer validates: " + error);
    }
}
