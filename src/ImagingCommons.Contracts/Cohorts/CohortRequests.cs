using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

// Request bodies, for clients to send and for the OpenAPI documents to describe. The server validates the raw JSON
// itself (the original's messages depend on the order of its checks), so these never bind a request there.

/// <summary>A v1 cohort definition: POST /v1/cohorts and POST /v1/cohorts/manifest/preview.</summary>
/// <param name="Name">The cohort's name (required).</param>
/// <param name="Description">Its description (default "").</param>
/// <param name="Filters">v1 filters (keys case-sensitive).</param>
public sealed record V1CohortDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("filters")] Filters Filters,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null);

/// <summary>The fields of a v1 query.</summary>
/// <param name="Fields">v1 query fields (spec §9.4), at least one.</param>
public sealed record V1QueryFields([property: JsonPropertyName("fields")] IReadOnlyList<string> Fields);

/// <summary>POST /v1/cohorts/query/preview.</summary>
/// <param name="CohortDef">The cohort definition.</param>
/// <param name="QueryFields">The fields to return.</param>
public sealed record V1QueryPreviewRequest(
    [property: JsonPropertyName("cohort_def")] V1CohortDefinition CohortDef,
    [property: JsonPropertyName("queryFields")] V1QueryFields QueryFields);

/// <summary>The 2020 filterSet of POST /v1/cohorts/preview.</summary>
/// <param name="Filters">v1 filters.</param>
/// <param name="IdcDataVersion">The release to run against; absent or "": the current one.</param>
public sealed record V1FilterSet(
    [property: JsonPropertyName("filters")] Filters Filters,
    [property: JsonPropertyName("idc_data_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdcDataVersion = null);

/// <summary>POST /v1/cohorts/preview (a body with a top-level <c>filters</c> instead of <c>filterSet</c> is also read).</summary>
/// <param name="Name">The cohort's name.</param>
/// <param name="FilterSet">The filters and release.</param>
/// <param name="Description">Its description (default "").</param>
public sealed record V1CohortPreviewRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("filterSet")] V1FilterSet FilterSet,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null);

/// <summary>A v2 cohort definition: <c>cohort_def</c> of a preview, and POST /v2/cohorts.</summary>
/// <param name="Name">The name (default ""; POST /v2/cohorts names an unnamed cohort by its date).</param>
/// <param name="Description">The description (default "").</param>
/// <param name="Filters">v2 filters (keys case-insensitive; default none).</param>
public sealed record V2CohortDefinition(
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null,
    [property: JsonPropertyName("filters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Filters? Filters = null);

/// <summary>POST /v2/cohorts/manifest/preview.</summary>
/// <param name="CohortDef">The cohort definition.</param>
/// <param name="Fields">Fields to group by (spec §9.2, case-insensitive); may be empty when counts or group_size is asked.</param>
/// <param name="Counts">Add the granularity's count columns (default false).</param>
/// <param name="GroupSize">Add group_size, the bytes of each group (default false).</param>
/// <param name="Sql">Echo the SQL in cohort_def.sql (default false).</param>
/// <param name="PageSize">Rows of the first page (default 1000).</param>
public sealed record V2ManifestPreviewRequest(
    [property: JsonPropertyName("cohort_def")] V2CohortDefinition CohortDef,
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("counts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Counts = null,
    [property: JsonPropertyName("group_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? GroupSize = null,
    [property: JsonPropertyName("sql"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Sql = null,
    [property: JsonPropertyName("page_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PageSize = null);

/// <summary>POST /v2/cohorts/manifest/{cohort_id}: a manifest request without cohort_def.</summary>
/// <param name="Fields">Fields to group by.</param>
/// <param name="Counts">Add the count columns (default false).</param>
/// <param name="GroupSize">Add group_size (default false).</param>
/// <param name="Sql">Echo the SQL (default false).</param>
/// <param name="PageSize">Rows of the first page (default 1000).</param>
public sealed record V2ManifestRequest(
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("counts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Counts = null,
    [property: JsonPropertyName("group_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? GroupSize = null,
    [property: JsonPropertyName("sql"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Sql = null,
    [property: JsonPropertyName("page_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PageSize = null);

/// <summary>DELETE /v1/cohorts, /v2/cohorts.</summary>
/// <param name="Cohorts">The ids to delete (integers).</param>
public sealed record CohortIds([property: JsonPropertyName("cohorts")] IReadOnlyList<long> Cohorts);
