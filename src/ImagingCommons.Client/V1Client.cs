using System.Text;
using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client;

/// <summary>The columns a v1 manifest can select (spec §6.6), in the order the server writes them.</summary>
public static class V1ManifestColumns
{
    /// <summary>collection_id.</summary>
    public const string CollectionId = "Collection_ID";

    /// <summary>PatientID.</summary>
    public const string PatientId = "Patient_ID";

    /// <summary>StudyInstanceUID.</summary>
    public const string StudyInstanceUid = "StudyInstanceUID";

    /// <summary>SeriesInstanceUID.</summary>
    public const string SeriesInstanceUid = "SeriesInstanceUID";

    /// <summary>SOPInstanceUID.</summary>
    public const string SopInstanceUid = "SOPInstanceUID";

    /// <summary>source_DOI.</summary>
    public const string SourceDoi = "Source_DOI";

    /// <summary>The study's crdc UUID as a <c>dg.4DFC/</c> GUID.</summary>
    public const string CrdcStudyGuid = "CRDC_Study_GUID";

    /// <summary>The series' crdc UUID as a <c>dg.4DFC/</c> GUID.</summary>
    public const string CrdcSeriesGuid = "CRDC_Series_GUID";

    /// <summary>The instance's crdc UUID as a <c>dg.4DFC/</c> GUID.</summary>
    public const string CrdcInstanceGuid = "CRDC_Instance_GUID";

    /// <summary>The instance's gs:// URL.</summary>
    public const string GcsUrl = "GCS_URL";
}

/// <summary>The depth of a v1 cohort-objects tree (<c>return_level</c>).</summary>
public enum CohortObjectsLevel
{
    /// <summary>Collections only.</summary>
    Collection,

    /// <summary>Down to patients.</summary>
    Patient,

    /// <summary>Down to studies.</summary>
    Study,

    /// <summary>Down to series (the server's default).</summary>
    Series,

    /// <summary>Down to instances.</summary>
    Instance,
}

/// <summary>The public routes of IDC's API v1 (spec §6): metadata, manifests, queries, /dicomMetadata and cohort-object trees.</summary>
public sealed class V1Client : ApiArea
{
    private static readonly ContractsJsonContext Json = ContractsJsonContext.Default;

    internal V1Client(ApiTransport transport, PendingResumer resumer)
        : base(transport, resumer)
    {
    }

    /// <summary>GET /v1/about.</summary>
    public Task<AboutResponse> GetAboutAsync(CancellationToken cancellationToken = default) =>
        Transport.GetAsync("v1/about", Json.AboutResponse, cancellationToken);

    /// <summary>GET /v1/versions.</summary>
    public async Task<IReadOnlyList<VersionItem>> GetVersionsAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v1/versions", Json.VersionsResponse, cancellationToken).ConfigureAwait(false)).Versions;

    /// <summary>GET /v1/collections: the original collections in storage order (of <paramref name="release"/> when the server holds it).</summary>
    public async Task<IReadOnlyList<V1Collection>> GetCollectionsAsync(string? release = null, CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v1/collections" + V2Client.ReleaseQuery(release), Json.V1CollectionsResponse, cancellationToken).ConfigureAwait(false)).Collections;

    /// <summary>GET /v1/analysis_results.</summary>
    public async Task<IReadOnlyList<V1AnalysisResult>> GetAnalysisResultsAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v1/analysis_results", Json.V1AnalysisResultsResponse, cancellationToken).ConfigureAwait(false)).AnalysisResults;

    /// <summary>GET /v1/attributes: the filterable attributes per data source (of one source when <paramref name="dataSource"/> is given).</summary>
    public Task<V1AttributesResponse> GetAttributesAsync(string? dataSource = null, CancellationToken cancellationToken = default) =>
        Transport.GetAsync("v1/attributes" + (dataSource is null ? "" : "?data_source=" + Segment(dataSource)), Json.V1AttributesResponse, cancellationToken);

    /// <summary>
    /// POST /v1/cohorts/manifest/preview and GET /v1/cohorts/manifest/nextPage: the distinct combinations of the
    /// selected <paramref name="columns"/> (<see cref="V1ManifestColumns"/>) over the cohort's instances.
    /// </summary>
    public AsyncPageable<ResultRow> GetManifestPreview(V1CohortDefinition cohort, IEnumerable<string> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        var selection = ColumnsQuery(columns);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v1/cohorts/manifest/preview" + selection + PageSize(pageSize, "&"), cohort, Json.V1CohortDefinition, Json.V1ManifestResponseV1ManifestCohort, token),
            first => (first.Manifest.JsonManifest, first.NextPage, first.Manifest.TotalFound),
            "v1/cohorts/manifest/nextPage",
            Json.V1ManifestPage,
            page => (page.Manifest.JsonManifest, page.NextPage, page.Manifest.TotalFound),
            cancellationToken);
    }

    /// <summary>POST /v1/cohorts/query/preview and GET /v1/cohorts/query/nextPage: distinct combinations of v1 query fields (values as strings).</summary>
    public AsyncPageable<ResultRow> GetQueryPreview(V1QueryPreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v1/cohorts/query/preview" + PageSize(pageSize, "?"), request, Json.V1QueryPreviewRequest, Json.V1QueryResponseV1QueryCohort, token),
            first => (first.QueryResults.Json, first.NextPage, first.QueryResults.TotalFound),
            "v1/cohorts/query/nextPage",
            Json.V1QueryPage,
            page => (page.QueryResults.Json, page.NextPage, page.QueryResults.TotalFound),
            cancellationToken);
    }

    /// <summary>GET /v1/dicomMetadata and its nextPage route: the 70 columns of every instance of the current release.</summary>
    public AsyncPageable<ResultRow> GetDicomMetadata(CancellationToken cancellationToken = default) =>
        Listing(
            (pageSize, token) => Transport.GetPagedAsync("v1/dicomMetadata" + PageSize(pageSize, "?"), Json.V1DicomMetadataResponse, token),
            first => (first.QueryResults.Json, first.NextPage, first.QueryResults.TotalFound),
            "v1/dicomMetadata/nextPage",
            Json.V1QueryPage,
            page => (page.QueryResults.Json, page.NextPage, page.QueryResults.TotalFound),
            cancellationToken);

    /// <summary>
    /// POST /v1/cohorts/preview (the 2020 cohort-objects route): the cohort as a tree down to <paramref name="level"/>,
    /// paged by leaves. Each page carries the tree of its own leaves, so a node can recur on the next page.
    /// </summary>
    public AsyncPageable<CollectionNode> GetCohortObjectsPreview(V1CohortPreviewRequest request, CohortObjectsLevel level = CohortObjectsLevel.Series, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = "v1/cohorts/preview?return_level=" + level;
        return SameRouteListing(
            (pageSize, token) => Transport.SendPagedAsync(HttpMethod.Post, path + PageSize(pageSize, "&"), request, Json.V1CohortPreviewRequest, Json.V1CohortObjectsResponseV1CohortObjectsEcho, token),
            first => (first.CohortObjects.Collections, first.NextPage, first.CohortObjects.TotalFound),
            (next, pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v1/cohorts/preview" + NextPageQuery(next, pageSize), request, Json.V1CohortPreviewRequest, Json.V1CohortObjectsResponseEmptyObject, token),
            page => (page.CohortObjects.Collections, page.NextPage, page.CohortObjects.TotalFound),
            cancellationToken);
    }

    internal static string ColumnsQuery(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var query = new StringBuilder();
        foreach (var column in columns)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(Segment(column)).Append("=True");
        }

        return query.Length == 0 ? throw new ArgumentException("Select at least one column (V1ManifestColumns).", nameof(columns)) : query.ToString();
    }

    internal static string PageSize(int? pageSize, string separator) => pageSize is { } size ? separator + "page_size=" + Number(size) : "";
}
