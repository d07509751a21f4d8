using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ImagingCommons.Server.Apis;

/// <summary>POST /api/v1/facets: a v2 filter set, the release to count on, and the filter attributes to count.</summary>
internal sealed record FacetsRequest(
    [property: JsonPropertyName("filters"), Description("A v2 filter set (keys and values as /v2/cohorts/manifest/preview takes them); absent: no filter")] JsonElement? Filters,
    [property: JsonPropertyName("release"), Description("A release this server holds (GET /api/v1/portal lists them); absent: the current release")] string? Release,
    [property: JsonPropertyName("facets"), Description("v2 filter attributes (base names, no suffix; case-insensitive) to count under the other filters")] IReadOnlyList<string>? Facets,
    [property: JsonPropertyName("limit"), Description("At most this many values per categorical attribute, most series first (1-10000, default 1000)")] int? Limit,
    [property: JsonPropertyName("bins"), Description("Histogram bins per ranged attribute (1-100, default 10)")] int? Bins);

internal sealed record FacetsResponse(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("totals")] FacetTotalsShape Totals,
    [property: JsonPropertyName("facets")] IReadOnlyList<FacetShape> Facets);

/// <summary>The cohort under the whole filter set, counted as the v2 manifest counts (bytes of distinct instances).</summary>
internal sealed record FacetTotalsShape(
    [property: JsonPropertyName("collections")] long Collections,
    [property: JsonPropertyName("patients")] long Patients,
    [property: JsonPropertyName("studies")] long Studies,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("instances")] long Instances,
    [property: JsonPropertyName("bytes")] long Bytes);

/// <summary>
/// One attribute's counts under every filter but its own. Categorical attributes carry <c>values</c>, ranged ones a
/// <c>histogram</c> and <c>missing</c>; TCGA attributes also carry <c>unrecorded</c>: series whose patient has no record
/// in that table, which pass any value of the attribute (a filter on value v selects v's count plus these).
/// </summary>
internal sealed record FacetShape(
    [property: JsonPropertyName("attribute")] string Attribute,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("values"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FacetValueShape>? Values,
    [property: JsonPropertyName("value_count")] long ValueCount,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("histogram"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetHistogramShape? Histogram,
    [property: JsonPropertyName("missing"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetCountShape? Missing,
    [property: JsonPropertyName("unrecorded"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetCountShape? Unrecorded);

/// <summary>A value as a filter takes it (null: no value, which a filter spells "None") and its series and patients.</summary>
internal sealed record FacetValueShape(
    [property: JsonPropertyName("value")] JsonNode? Value,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

internal sealed record FacetCountShape(
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

internal sealed record FacetHistogramShape(
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("bins")] IReadOnlyList<FacetBinShape> Bins);

/// <summary>Values from lower (inclusive) to upper (exclusive, or inclusive when upper_inclusive): the filter <c>_ebtw</c> (or <c>_ebtwe</c>) of these bounds.</summary>
internal sealed record FacetBinShape(
    [property: JsonPropertyName("lower")] double Lower,
    [property: JsonPropertyName("upper")] double Upper,
    [property: JsonPropertyName("upper_inclusive")] bool UpperInclusive,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

/// <summary>GET /api/v1/portal: what the portal page needs to know about this server.</summary>
internal sealed record PortalSettings(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("held_releases")] IReadOnlyList<string> HeldReleases,
    [property: JsonPropertyName("viewer_url"), Description("A URL template for a series (placeholders {collection_id}, {PatientID}, {StudyInstanceUID}, {SeriesInstanceUID}, {crdc_series_uuid}); null when no viewer is configured")] string? ViewerUrl);

/// <summary>POST /api/v1/manifest/preview: a v2 manifest of a filter set on any held release (the v2 preview counts on the current one only).</summary>
internal sealed record ManifestPreviewRequest(
    [property: JsonPropertyName("filters")] JsonElement? Filters,
    [property: JsonPropertyName("release")] string? Release,
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("counts")] bool? Counts,
    [property: JsonPropertyName("group_size")] bool? GroupSize,
    [property: JsonPropertyName("page_size")] int? PageSize);

/// <summary>A page of the manifest (next_page "" after the last); on 202 the manifest is absent and next_page resumes.</summary>
internal sealed record ManifestPreviewResponse(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("manifest")] ManifestBlockShape? Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record ManifestBlockShape(
    [property: JsonPropertyName("manifest_data")] IReadOnlyList<JsonObject> ManifestData,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);
