using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

// POST /api/v1/facets: our extension (neither IDC's API nor idc-index counts facets), behind the portal's cohort
// builder. Errors are problem details (RFC 9457), as on every /api route.

/// <summary>A facet request: a v2 filter set, the release to count on, and the attributes to count.</summary>
/// <param name="Filters">A v2 filter set, validated with v2's rules; null: no filter.</param>
/// <param name="Release">A release the server holds (<c>GET /api/v1/portal</c> lists them); null: the current one.</param>
/// <param name="Facets">v2 filter attributes (base names without suffix, matched case-insensitively) to count.</param>
/// <param name="Limit">At most this many values per categorical attribute, most series first (1-10000, default 1000).</param>
/// <param name="Bins">Histogram bins per ranged attribute (1-100, default 10).</param>
public sealed record FacetsRequest(
    [property: JsonPropertyName("filters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Filters? Filters = null,
    [property: JsonPropertyName("release"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Release = null,
    [property: JsonPropertyName("facets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Facets = null,
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Limit = null,
    [property: JsonPropertyName("bins"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Bins = null);

/// <summary>The answer to a facet request.</summary>
/// <param name="Release">The release counted.</param>
/// <param name="Totals">The cohort under the whole filter set.</param>
/// <param name="Facets">One entry per requested attribute, in request order.</param>
public sealed record FacetsResponse(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("totals")] CohortTotals Totals,
    [property: JsonPropertyName("facets")] IReadOnlyList<FacetCounts> Facets);

/// <summary>A cohort's size, counted as a v2 manifest's counts are (distinct ids; bytes of distinct instances).</summary>
/// <param name="Collections">Distinct collection_id values.</param>
/// <param name="Patients">Distinct PatientID values.</param>
/// <param name="Studies">Distinct StudyInstanceUID values.</param>
/// <param name="Series">Distinct SeriesInstanceUID values.</param>
/// <param name="Instances">Instances.</param>
/// <param name="Bytes">The instances' size in bytes.</param>
public sealed record CohortTotals(
    [property: JsonPropertyName("collections")] long Collections,
    [property: JsonPropertyName("patients")] long Patients,
    [property: JsonPropertyName("studies")] long Studies,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("instances")] long Instances,
    [property: JsonPropertyName("bytes")] long Bytes);

/// <summary>
/// One attribute's counts under every filter but its own (GDC's facet semantics: ticking CT does not make MR vanish).
/// Categorical attributes carry <see cref="Values"/>; ranged ones a <see cref="Histogram"/> and <see cref="Missing"/>.
/// </summary>
/// <param name="Attribute">The attribute, in canonical case.</param>
/// <param name="DataType">Its v2 data type ("Categorical String", "Ranged Integer", …).</param>
/// <param name="Table">The table it is evaluated on (dicom_pivot, tcga_clinical_rel9, tcga_biospecimen_rel9).</param>
/// <param name="Values">Categorical attributes: the values, most series first.</param>
/// <param name="ValueCount">How many values there are in all (categorical), or bins (ranged).</param>
/// <param name="Truncated">Whether <see cref="Values"/> stops at the request's limit.</param>
/// <param name="Histogram">Ranged attributes: the values' range and bins; null when no series has a value.</param>
/// <param name="Missing">Ranged attributes: the series without a value.</param>
/// <param name="Unrecorded">
/// TCGA attributes: the series of patients without a record in that table. The API's filters let them through
/// whatever value is asked for (spec §5.5), so a filter on value v selects v's count plus these.
/// </param>
public sealed record FacetCounts(
    [property: JsonPropertyName("attribute")] string Attribute,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("values"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FacetValueCount>? Values,
    [property: JsonPropertyName("value_count")] long ValueCount,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("histogram"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FacetHistogramCounts? Histogram,
    [property: JsonPropertyName("missing"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeriesAndPatients? Missing,
    [property: JsonPropertyName("unrecorded"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeriesAndPatients? Unrecorded);

/// <summary>
/// One value and the series and patients that have it. Values that differ only by case are one (the filters match
/// case-insensitively); the spelling shown is the first in byte order.
/// </summary>
/// <param name="Value">The value as a filter takes it (a string, or a number for Categorical Number attributes); null: no value, which a filter spells "None".</param>
/// <param name="Series">Series of the cohort (under the other filters) with this value.</param>
/// <param name="Patients">Their distinct patients.</param>
public sealed record FacetValueCount(
    [property: JsonPropertyName("value")] FilterValue? Value,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

/// <summary>A count of series and of their distinct patients.</summary>
/// <param name="Series">Series.</param>
/// <param name="Patients">Distinct patients.</param>
public sealed record SeriesAndPatients(
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

/// <summary>A ranged attribute's values under the other filters: their range and equal-width bins over it.</summary>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Bins">The bins, lowest first (integer bounds for Ranged Integer attributes).</param>
public sealed record FacetHistogramCounts(
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("bins")] IReadOnlyList<FacetBinCount> Bins);

/// <summary>
/// The series with a value from <see cref="Lower"/> (inclusive) to <see cref="Upper"/> (exclusive, or inclusive when
/// <see cref="UpperInclusive"/>): what the filter <c>&lt;attribute&gt;_ebtw</c> (or <c>_ebtwe</c>) of these bounds selects.
/// </summary>
/// <param name="Lower">The lower bound, inclusive.</param>
/// <param name="Upper">The upper bound.</param>
/// <param name="UpperInclusive">Whether the upper bound is included (the last bin of a Ranged Number).</param>
/// <param name="Series">Series with a value in the bin.</param>
/// <param name="Patients">Their distinct patients.</param>
public sealed record FacetBinCount(
    [property: JsonPropertyName("lower")] double Lower,
    [property: JsonPropertyName("upper")] double Upper,
    [property: JsonPropertyName("upper_inclusive")] bool UpperInclusive,
    [property: JsonPropertyName("series")] long Series,
    [property: JsonPropertyName("patients")] long Patients);

/// <summary>GET /api/v1/portal: what the portal page needs to know about the server.</summary>
/// <param name="Release">The current release.</param>
/// <param name="HeldReleases">Every release held, oldest first (the portal can preview any of them).</param>
/// <param name="ViewerUrl">
/// The configured viewer URL template for a series (placeholders <c>{collection_id}</c>, <c>{PatientID}</c>,
/// <c>{StudyInstanceUID}</c>, <c>{SeriesInstanceUID}</c>, <c>{crdc_series_uuid}</c>); null when none is configured.
/// </param>
public sealed record PortalSettings(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("held_releases")] IReadOnlyList<string> HeldReleases,
    [property: JsonPropertyName("viewer_url")] string? ViewerUrl);

/// <summary>
/// POST /api/v1/manifest/preview: a v2 manifest of a filter set on any held release (the v2 preview computes on the
/// current one only). The fields, counts, group_size and page_size rules are the v2 preview's.
/// </summary>
/// <param name="Fields">v2 manifest fields (may be empty when counts or group_size is true).</param>
/// <param name="Filters">A v2 filter set; null: no filter.</param>
/// <param name="Release">A held release; null: the current one.</param>
/// <param name="Counts">Add the granularity's count columns.</param>
/// <param name="GroupSize">Add group_size (bytes).</param>
/// <param name="PageSize">Rows of the first page (default 1000).</param>
public sealed record ManifestPreviewRequest(
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("filters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Filters? Filters = null,
    [property: JsonPropertyName("release"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Release = null,
    [property: JsonPropertyName("counts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Counts = null,
    [property: JsonPropertyName("group_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? GroupSize = null,
    [property: JsonPropertyName("page_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PageSize = null);

/// <summary>
/// A page of a manifest preview (200), or the answer to a query that outlived its deadline (202, no manifest): either
/// way, <c>GET /api/v1/manifest/preview/nextPage?next_page=…</c> goes on.
/// </summary>
/// <param name="Release">The release of the manifest.</param>
/// <param name="Manifest">The rows of this page; null on 202.</param>
/// <param name="NextPage">The token of the next page ("" after the last), or on 202 the token to resume with.</param>
public sealed record ManifestPreviewResponse(
    [property: JsonPropertyName("release")] string Release,
    [property: JsonPropertyName("manifest")] V2ManifestBlock? Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>Source-generated serialization of the extension routes' records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FacetsRequest))]
[JsonSerializable(typeof(FacetsResponse))]
[JsonSerializable(typeof(PortalSettings))]
[JsonSerializable(typeof(ManifestPreviewRequest))]
[JsonSerializable(typeof(ManifestPreviewResponse))]
[JsonSerializable(typeof(ResolveRequest))]
[JsonSerializable(typeof(ResolveResponse))]
[JsonSerializable(typeof(HealthResponse))]
public sealed partial class ExtensionsJsonContext : JsonSerializerContext;
