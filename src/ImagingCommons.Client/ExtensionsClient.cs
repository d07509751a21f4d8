using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client;

/// <summary>
/// This server's own routes beside IDC's API (/api/v1/…, /health): facet counts, the server's settings, manifest
/// previews on any held release, and identifier resolution. Errors there are problem details; they raise
/// <see cref="ImagingCommonsApiException"/> with the problem's detail.
/// </summary>
public sealed class ExtensionsClient : ApiArea
{
    private static readonly ExtensionsJsonContext Json = ExtensionsJsonContext.Default;

    internal ExtensionsClient(ApiTransport transport, PendingResumer resumer)
        : base(transport, resumer)
    {
    }

    /// <summary>GET /health: liveness and the release served.</summary>
    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        Transport.GetAsync("health", Json.HealthResponse, cancellationToken);

    /// <summary>GET /api/v1/portal: the current release, every release held, and the configured viewer.</summary>
    public Task<PortalSettings> GetSettingsAsync(CancellationToken cancellationToken = default) =>
        Transport.GetAsync("api/v1/portal", Json.PortalSettings, cancellationToken);

    /// <summary>POST /api/v1/facets: the counts of a filter set and, per attribute, its values' counts under the other filters.</summary>
    public Task<FacetsResponse> GetFacetsAsync(FacetsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Transport.SendAsync(HttpMethod.Post, "api/v1/facets", request, Json.FacetsRequest, Json.FacetsResponse, retry: true, cancellationToken);
    }

    /// <summary>
    /// POST /api/v1/manifest/preview and its nextPage route: a v2 manifest of a filter set on any held release (the
    /// v2 preview computes on the current one only), every row of every page.
    /// </summary>
    public AsyncPageable<ResultRow> GetManifestPreview(ManifestPreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "api/v1/manifest/preview", pageSize is { } size ? request with { PageSize = size } : request, Json.ManifestPreviewRequest, Json.ManifestPreviewResponse, token),
            Read,
            "api/v1/manifest/preview/nextPage",
            Json.ManifestPreviewResponse,
            Read,
            cancellationToken,
            request.PageSize);

        static (IReadOnlyList<ResultRow>, string, long) Read(ManifestPreviewResponse page) =>
            (page.Manifest?.ManifestData ?? ResultRows.Empty, page.NextPage, page.Manifest?.TotalFound ?? 0);
    }

    /// <summary>
    /// POST /api/v1/resolve: what each identifier is (collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or
    /// crdc_series_uuid) in the current release, or in <paramref name="release"/>.
    /// </summary>
    public Task<ResolveResponse> ResolveAsync(IEnumerable<string> ids, string? release = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Transport.SendAsync(HttpMethod.Post, "api/v1/resolve", new ResolveRequest([.. ids], release), Json.ResolveRequest, Json.ResolveResponse, retry: true, cancellationToken);
    }
}
