using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCommons.Server.Apis;

// The shapes of the query routes' bodies, for the OpenAPI documents. The handlers build these bodies as JSON trees
// (their row keys are the requested fields), so these records describe the wire and are not used to serialise it.

/// <summary>A filter set: attribute key (optionally with a numeric suffix) → non-empty array of values.</summary>
internal sealed class FilterSetShape : Dictionary<string, JsonElement[]>;

internal sealed record ErrorShape([property: JsonPropertyName("code")] int Code, [property: JsonPropertyName("message")] string Message);

internal sealed record TimeoutInfoShape(
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("cohortObjects")] JsonElement CohortObjects);

/// <summary>HTTP 202: the query keeps running; resume with the token on the matching nextPage route.</summary>
internal sealed record TimeoutShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("query_info")] TimeoutInfoShape QueryInfo);

internal sealed record V1CohortDefinitionShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filters")] FilterSetShape Filters);

internal sealed record FilterSetEchoShape(
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("filters")] FilterSetShape Filters);

internal sealed record V1ManifestBlockShape(
    [property: JsonPropertyName("json_manifest")] IReadOnlyList<Dictionary<string, string?>> JsonManifest,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

internal sealed record V1ManifestCohortShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet,
    [property: JsonPropertyName("sql")] string Sql);

internal sealed record V1ManifestPreviewShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] V1ManifestCohortShape Cohort,
    [property: JsonPropertyName("manifest")] V1ManifestBlockShape Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record V1ManifestNextPageShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("manifest")] V1ManifestBlockShape Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record V1QueryFieldsShape([property: JsonPropertyName("fields")] IReadOnlyList<string> Fields);

internal sealed record V1QueryPreviewRequestShape(
    [property: JsonPropertyName("cohort_def")] V1CohortDefinitionShape CohortDef,
    [property: JsonPropertyName("queryFields")] V1QueryFieldsShape QueryFields);

/// <summary>Rows of BigQuery-style values: strings or null, arrays of strings for repeated columns.</summary>
internal sealed record QueryResultsShape(
    [property: JsonPropertyName("json")] IReadOnlyList<Dictionary<string, JsonElement>> Json,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

internal sealed record V1QueryCohortShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filters")] FilterSetShape Filters,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet,
    [property: JsonPropertyName("sql")] string Sql);

internal sealed record V1QueryPreviewShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_def")] V1QueryCohortShape CohortDef,
    [property: JsonPropertyName("query_results")] QueryResultsShape QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record QueryNextPageShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] Dictionary<string, JsonElement> Cohort,
    [property: JsonPropertyName("query_results")] QueryResultsShape QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record DicomMetadataShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("query_results")] QueryResultsShape QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record AttributeShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("units")] string? Units);

internal sealed record AttributeSourceShape(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("attributes")] IReadOnlyList<AttributeShape> Attributes);

internal sealed record AttributesShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<AttributeSourceShape> DataSources);

internal sealed record FilterShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data_type")] string DataType,
    [property: JsonPropertyName("units")] string? Units);

internal sealed record FilterSourceShape(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("filters")] IReadOnlyList<FilterShape> Filters);

internal sealed record FiltersShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<FilterSourceShape> DataSources);

internal sealed record FilterValuesShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("values")] IReadOnlyList<string?> Values);

internal sealed record FieldSourceShape(
    [property: JsonPropertyName("data_source")] string DataSource,
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields);

internal sealed record FieldsShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("data_sources")] IReadOnlyList<FieldSourceShape> DataSources);

internal sealed record V2CohortDefinitionShape(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filters")] FilterSetShape? Filters);

/// <summary>The body of a v2 manifest request; counts, group_size and sql also accept "True"/"true"/"False"/"false".</summary>
internal sealed record V2ManifestPreviewRequestShape(
    [property: JsonPropertyName("cohort_def")] V2CohortDefinitionShape CohortDef,
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("counts")] bool Counts,
    [property: JsonPropertyName("group_size")] bool GroupSize,
    [property: JsonPropertyName("sql")] bool Sql,
    [property: JsonPropertyName("page_size")] int PageSize);

/// <summary>Manifest rows: INTEGER columns, counts and group_size as numbers; other values as strings or null.</summary>
internal sealed record V2ManifestBlockShape(
    [property: JsonPropertyName("manifest_data")] IReadOnlyList<Dictionary<string, JsonElement>> ManifestData,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

internal sealed record V2CohortEchoShape(
    [property: JsonPropertyName("name")] JsonElement Name,
    [property: JsonPropertyName("description")] JsonElement Description,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet,
    [property: JsonPropertyName("sql")] string? Sql);

internal sealed record V2ManifestPreviewShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_def")] V2CohortEchoShape CohortDef,
    [property: JsonPropertyName("manifest")] V2ManifestBlockShape Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record V2ManifestNextPageShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("manifest")] V2ManifestBlockShape Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>The 2020 filterSet: the release to run against ("" or absent: the current one) and v1 filters.</summary>
internal sealed record V1FilterSetShape(
    [property: JsonPropertyName("idc_data_version")] string? IdcDataVersion,
    [property: JsonPropertyName("filters")] FilterSetShape Filters);

/// <summary>
/// The body of POST /v1/cohorts/preview. A released-v1 body with a top-level "filters" instead of "filterSet" is also
/// accepted (read as a filterSet for the current release).
/// </summary>
internal sealed record V1CohortPreviewRequestShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] V1FilterSetShape FilterSet);

internal sealed record InstanceNodeShape([property: JsonPropertyName("SOPInstanceUID")] string SopInstanceUid);

/// <summary>A child array is present only when return_level is deeper than the node's level.</summary>
internal sealed record SeriesNodeShape(
    [property: JsonPropertyName("SeriesInstanceUID")] string SeriesInstanceUid,
    [property: JsonPropertyName("instances")] IReadOnlyList<InstanceNodeShape>? Instances);

internal sealed record StudyNodeShape(
    [property: JsonPropertyName("StudyInstanceUID")] string StudyInstanceUid,
    [property: JsonPropertyName("series")] IReadOnlyList<SeriesNodeShape>? Series);

internal sealed record PatientNodeShape(
    [property: JsonPropertyName("patient_id")] string PatientId,
    [property: JsonPropertyName("studies")] IReadOnlyList<StudyNodeShape>? Studies);

internal sealed record CollectionNodeShape(
    [property: JsonPropertyName("collection_id")] string CollectionId,
    [property: JsonPropertyName("patients")] IReadOnlyList<PatientNodeShape>? Patients);

/// <summary>totalFound: leaves at return_level in the whole result; rowsReturned: leaves in this page.</summary>
internal sealed record CohortObjectsShape(
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned,
    [property: JsonPropertyName("collections")] IReadOnlyList<CollectionNodeShape> Collections);

/// <summary>The cohort echo of a first page; later pages carry an empty object.</summary>
internal sealed record V1CohortEchoShape(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("sql")] string Sql,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet);

internal sealed record V1CohortObjectsShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] V1CohortEchoShape Cohort,
    [property: JsonPropertyName("cohortObjects")] CohortObjectsShape CohortObjects,
    [property: JsonPropertyName("next_page")] string NextPage);

internal sealed record CohortTimeoutInfoShape(
    [property: JsonPropertyName("cohort")] JsonElement Cohort,
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("cohortObjects")] CohortObjectsShape CohortObjects);

/// <summary>HTTP 202 of the cohort-objects routes: the token at the top level and in both wrappers; resume on the same route.</summary>
internal sealed record V1CohortObjectsTimeoutShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("query_info")] CohortTimeoutInfoShape QueryInfo,
    [property: JsonPropertyName("manifest_info")] CohortTimeoutInfoShape ManifestInfo);
/// <summary>A saved cohort as GET /cohorts lists it (v1: every filter value a string; v2: suffixed numeric values as numbers).</summary>
internal sealed record CohortEntryShape(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("permission")] string Permission,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet);

internal sealed record CohortListShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohorts")] IReadOnlyList<CohortEntryShape> Cohorts);

internal sealed record CohortPropertiesShape(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("filterSet")] FilterSetEchoShape FilterSet);

internal sealed record CohortCreatedShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_properties")] CohortPropertiesShape CohortProperties);

/// <summary>The body of DELETE /cohorts: integer ids of any size.</summary>
internal sealed record CohortIdsShape([property: JsonPropertyName("cohorts")] IReadOnlyList<long> Cohorts);

/// <summary>
/// One id's outcome: <c>{"notes","data"}</c> when deleted, else <c>{"message"}</c> (not found, already deleted) or
/// <c>{"message","delete_permission":false}</c> (not the owner).
/// </summary>
internal sealed record CohortDeletionShape(
    [property: JsonPropertyName("cohort_id")] long CohortId,
    [property: JsonPropertyName("result")] JsonElement Result);

internal sealed record CohortDeletionsShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohorts")] IReadOnlyList<CohortDeletionShape> Cohorts);

/// <summary>The body of POST /v2/cohorts/manifest/{cohort_id}: a manifest request without cohort_def (ignored if sent).</summary>
internal sealed record V2ManifestRequestShape(
    [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
    [property: JsonPropertyName("counts")] bool Counts,
    [property: JsonPropertyName("group_size")] bool GroupSize,
    [property: JsonPropertyName("sql")] bool Sql,
    [property: JsonPropertyName("page_size")] int PageSize);

/// <summary>A local account: RFC 1123 dates; last_login is null until the first authenticated call.</summary>
internal sealed record UserDetailsShape(
    [property: JsonPropertyName("date_joined")] string DateJoined,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("first_name")] string FirstName,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("last_login")] string? LastLogin,
    [property: JsonPropertyName("last_name")] string LastName);

internal sealed record AccountDetailsShape(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("user_details")] UserDetailsShape UserDetails);
