using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

// The paged routes (spec §6.6, §6.7, §6.10, §7.8, addendum H3). next_page is "" after the last page.

/// <summary>The rows of a v1 manifest page.</summary>
/// <param name="JsonManifest">Distinct combinations of the selected columns.</param>
/// <param name="TotalFound">Rows of the whole manifest.</param>
/// <param name="RowsReturned">Rows of this page.</param>
public sealed record V1ManifestBlock(
    [property: JsonPropertyName("json_manifest")] ResultRows JsonManifest,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

/// <summary>The first page of a v1 manifest (preview, or a saved cohort's).</summary>
/// <typeparam name="TCohort"><see cref="V1ManifestCohort"/> (preview) or <see cref="V1SavedCohortEcho"/>.</typeparam>
/// <param name="Code">200.</param>
/// <param name="Cohort">The cohort.</param>
/// <param name="Manifest">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V1ManifestResponse<TCohort>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] TCohort Cohort,
    [property: JsonPropertyName("manifest")] V1ManifestBlock Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>A later page of a v1 manifest (GET /v1/cohorts/manifest/nextPage).</summary>
/// <param name="Code">200.</param>
/// <param name="Manifest">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V1ManifestPage(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("manifest")] V1ManifestBlock Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>The rows of a v1 query or /dicomMetadata page: BigQuery-style values (strings, null, arrays of strings).</summary>
/// <param name="Json">The rows.</param>
/// <param name="TotalFound">Rows of the whole result.</param>
/// <param name="RowsReturned">Rows of this page.</param>
public sealed record QueryResultsBlock(
    [property: JsonPropertyName("json")] ResultRows Json,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

/// <summary>The first page of a v1 query (preview, or a saved cohort's).</summary>
/// <typeparam name="TCohort"><see cref="V1QueryCohort"/> (preview) or <see cref="V1SavedCohortEcho"/>.</typeparam>
/// <param name="Code">200.</param>
/// <param name="CohortDef">The cohort.</param>
/// <param name="QueryResults">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V1QueryResponse<TCohort>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_def")] TCohort CohortDef,
    [property: JsonPropertyName("query_results")] QueryResultsBlock QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>A later page of a v1 query or of /dicomMetadata (with the original's empty <c>cohort</c>).</summary>
/// <param name="Code">200.</param>
/// <param name="Cohort">{}.</param>
/// <param name="QueryResults">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V1QueryPage(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort")] EmptyObject Cohort,
    [property: JsonPropertyName("query_results")] QueryResultsBlock QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>The first page of GET /v1/dicomMetadata: the 70 columns of every instance of the current release.</summary>
/// <param name="Code">200.</param>
/// <param name="QueryResults">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V1DicomMetadataResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("query_results")] QueryResultsBlock QueryResults,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>The rows of a v2 manifest page: INTEGER columns, counts and group_size as numbers, the rest as strings or null.</summary>
/// <param name="ManifestData">The rows.</param>
/// <param name="TotalFound">Rows of the whole manifest.</param>
/// <param name="RowsReturned">Rows of this page.</param>
public sealed record V2ManifestBlock(
    [property: JsonPropertyName("manifest_data")] ResultRows ManifestData,
    [property: JsonPropertyName("totalFound")] long TotalFound,
    [property: JsonPropertyName("rowsReturned")] int RowsReturned);

/// <summary>The first page of a v2 manifest (preview, or a saved cohort's).</summary>
/// <typeparam name="TCohort"><see cref="V2CohortEcho"/> (preview) or <see cref="V2SavedCohortEcho"/>.</typeparam>
/// <param name="Code">200.</param>
/// <param name="CohortDef">The cohort.</param>
/// <param name="Manifest">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V2ManifestResponse<TCohort>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("cohort_def")] TCohort CohortDef,
    [property: JsonPropertyName("manifest")] V2ManifestBlock Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>A later page of a v2 manifest (both nextPage routes).</summary>
/// <param name="Code">200.</param>
/// <param name="Manifest">The rows.</param>
/// <param name="NextPage">The token of the next page, or "".</param>
public sealed record V2ManifestPage(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("manifest")] V2ManifestBlock Manifest,
    [property: JsonPropertyName("next_page")] string NextPage);

/// <summary>
/// HTTP 202: the query outlived its deadline and keeps running. The token is at the top level (v1 manifests, v2's
/// OpenAPI) and in <c>query_info</c> (v1 queries, /dicomMetadata, v2 before mid-2025); resume on the matching
/// nextPage route (the cohort-objects routes: on the same route).
/// </summary>
/// <param name="Code">202.</param>
/// <param name="Message">The timeout text.</param>
/// <param name="NextPage">The token to resume with.</param>
/// <param name="QueryInfo">The same token, with the request's cohort echo where the route has one.</param>
/// <param name="ManifestInfo">The cohort-objects routes only: the same content under their 2020 wrapper.</param>
public sealed record PendingResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("query_info")] PendingInfo QueryInfo,
    [property: JsonPropertyName("manifest_info"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PendingInfo? ManifestInfo = null);

/// <summary>What a 202 says about the query it is for.</summary>
/// <param name="CohortDef">The cohort echo of a query or v2 manifest request (one of the echo records), when it has one.</param>
/// <param name="Cohort">The cohort echo of a cohort-objects request, when it has one.</param>
/// <param name="NextPage">The token to resume with.</param>
/// <param name="CohortObjects">The original's empty stub.</param>
public sealed record PendingInfo(
    [property: JsonPropertyName("cohort_def"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? CohortDef,
    [property: JsonPropertyName("cohort"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Cohort,
    [property: JsonPropertyName("next_page")] string NextPage,
    [property: JsonPropertyName("cohortObjects")] CohortObjectsTree CohortObjects);
