using System.Collections.Concurrent;
using ImagingCommons.Contracts;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// The serialized bodies of the metadata endpoints for one catalog state. Releases are immutable, so each body is
/// rendered once per state and then written as bytes (the metadata endpoints must sustain over 10,000 requests/s).
/// </summary>
internal sealed record MetadataResponseSet(
    ReleaseCatalogState State,
    PrecomputedJson<HealthResponse> Health,
    PrecomputedJson<VersionsResponse> Versions,
    ReleaseMetadataBodies Current,
    bool Synthetic)
{
    public static MetadataResponseSet Render(ReleaseCatalogState state, ReleaseMetadata? current, bool synthetic) => new(
        state,
        new PrecomputedJson<HealthResponse>(new HealthResponse("ok", state.CurrentRelease)),
        VersionsApi.Render(state),
        ReleaseMetadataBodies.Render(current),
        synthetic);
}

/// <summary>The collections and analysis-results bodies of one release.</summary>
internal sealed record ReleaseMetadataBodies(
    PrecomputedJson<V1CollectionsResponse> V1Collections,
    PrecomputedJson<V2CollectionsResponse> V2Collections,
    PrecomputedJson<V1AnalysisResultsResponse> V1AnalysisResults,
    PrecomputedJson<V2AnalysisResultsResponse> V2AnalysisResults)
{
    public static ReleaseMetadataBodies Render(ReleaseMetadata? release) => new(
        CollectionsApi.RenderV1(release),
        CollectionsApi.RenderV2(release),
        AnalysisResultsApi.RenderV1(release),
        AnalysisResultsApi.RenderV2(release));
}

/// <summary>
/// Hands out the <see cref="MetadataResponseSet"/> of the catalog's current state, re-rendering it only when the
/// catalog published a new state (a reference comparison per request), and the bodies of older held releases for
/// routes that take <c>idc_data_version</c>.
/// </summary>
internal sealed class MetadataResponses(ReleaseCatalog catalog)
{
    private readonly ConcurrentDictionary<string, ReleaseMetadataBodies> _older = new(StringComparer.Ordinal);
    private volatile MetadataResponseSet? _set;

    public MetadataResponseSet Current
    {
        get
        {
            var set = _set;
            var state = catalog.State;
            if (set is not null && ReferenceEquals(set.State, state))
            {
                return set;
            }

            // Two racing requests may both render; the results are identical and the last one wins.
            var current = state.CurrentRelease;
            set = MetadataResponseSet.Render(
                state,
                current is null ? null : catalog.GetMetadata(current),
                current is not null && catalog.Data.ReadReleaseInfo(current).Synthetic);
            _set = set;
            return set;
        }
    }

    /// <summary>
    /// The bodies of <paramref name="release"/> when it is held (releases are immutable, so each is rendered once),
    /// else of the current release: the original accepted any idc_data_version and answered the current one.
    /// </summary>
    public ReleaseMetadataBodies ForRelease(string? release)
    {
        var current = Current;
        if (release is null || release == current.State.CurrentRelease || !current.State.HeldReleases.Contains(release, StringComparer.Ordinal))
        {
            return current.Current;
        }

        return _older.GetOrAdd(release, r => ReleaseMetadataBodies.Render(catalog.GetMetadata(r)));
    }
}
