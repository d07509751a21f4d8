using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client;

/// <summary>This server's own routes, beside IDC's API: health and identifier resolution (errors are problem details there).</summary>
public sealed class ExtensionsClient : ApiArea
{
    private static readonly ResolveJsonContext Json = ResolveJsonContext.Default;

    internal ExtensionsClient(ApiTransport transport, PendingResumer resumer)
        : base(transport, resumer)
    {
    }

    /// <summary>GET /health: liveness and the release served.</summary>
    public Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default) =>
        Transport.GetAsync("health", Json.HealthResponse, cancellationToken);

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
