using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client;

/// <summary>The public routes of IDC's API v2 (spec §7): metadata, filters, fields and manifest previews.</summary>
public sealed class V2Client : ApiArea
{
    private static readonly ContractsJsonContext Json = ContractsJsonContext.Default;

    internal V2Client(ApiTransport transport, PendingResumer resumer)
        : base(transport, resumer)
    {
    }

    /// <summary>GET /v2/about.</summary>
    public Task<AboutResponse> GetAboutAsync(CancellationToken cancellationToken = default) =>
        Transport.GetAsync("v2/about", Json.AboutResponse, cancellationToken);

    /// <summary>GET /v2/versions: every IDC data version the server knows, oldest first; exactly one is active.</summary>
    public async Task<IReadOnlyList<VersionItem>> GetVersionsAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v2/versions", Json.VersionsResponse, cancellationToken).ConfigureAwait(false)).Versions;

    /// <summary>GET /v2/collections: the original collections of the current release (or of <paramref name="release"/> when the server holds it), sorted by id.</summary>
    public async Task<IReadOnlyList<V2Collection>> GetCollectionsAsync(string? release = null, CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v2/collections" + ReleaseQuery(release), Json.V2CollectionsResponse, cancellationToken).ConfigureAwait(false)).Collections;

    /// <summary>GET /v2/analysis_results.</summary>
    public async Task<IReadOnlyList<V2AnalysisResult>> GetAnalysisResultsAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v2/analysis_results", Json.V2AnalysisResultsResponse, cancellationToken).ConfigureAwait(false)).AnalysisResults;

    /// <summary>GET /v2/filters: the filter keys per data source (ranged attributes in their nine suffixed forms).</summary>
    public async Task<IReadOnlyList<V2FilterSource>> GetFiltersAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v2/filters", Json.V2FiltersResponse, cancellationToken).ConfigureAwait(false)).DataSources;

    /// <summary>GET /v2/filters/values/{filter}: the values of a categorical filter (null first, at most 5000).</summary>
    public async Task<IReadOnlyList<string?>> GetFilterValuesAsync(string filter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return (await Transport.GetAsync("v2/filters/values/" + Segment(filter), Json.V2FilterValuesResponse, cancellationToken).ConfigureAwait(false)).Values;
    }

    /// <summary>GET /v2/fields/{version}: the manifest fields of a version ("current" or a version from <see cref="GetVersionsAsync"/>).</summary>
    public Task<V2FieldsResponse> GetFieldsAsync(string version = "current", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        return Transport.GetAsync("v2/fields/" + Segment(version), Json.V2FieldsResponse, cancellationToken);
    }

    /// <summary>
    /// POST /v2/cohorts/manifest/preview and its nextPage route: the manifest of a cohort definition on the current
    /// release, every row of every page. The page size is the request's <c>page_size</c>, or the hint given to
    /// <see cref="AsyncPageable{T}.AsPages"/>.
    /// </summary>
    /// <param name="request">The cohort definition, fields and options.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public AsyncPageable<ResultRow> GetManifestPreview(V2ManifestPreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v2/cohorts/manifest/preview", pageSize is { } size ? request with { PageSize = size } : request,
                Json.V2ManifestPreviewRequest, Json.V2ManifestResponseV2CohortEcho, token),
            first => (first.Manifest.ManifestData, first.NextPage, first.Manifest.TotalFound),
            "v2/cohorts/manifest/preview/nextPage",
            Json.V2ManifestPage,
            page => (page.Manifest.ManifestData, page.NextPage, page.Manifest.TotalFound),
            cancellationToken,
            request.PageSize);
    }

    internal static string ReleaseQuery(string? release) => release is null ? "" : "?idc_data_version=" + Segment(release);
}
