using ImagingCommons.Data.Releases;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// The serialized bodies of the metadata endpoints for one catalog state. Releases are immutable, so each body is
/// rendered once per state and then written as bytes (the metadata endpoints must sustain over 10,000 requests/s).
/// </summary>
internal sealed record MetadataResponseSet(
    ReleaseCatalogState State,
    PrecomputedJson<HealthResponse> Health,
    PrecomputedJson<VersionsResponse> Versions,
    PrecomputedJson<V1CollectionsResponse> V1Collections,
    PrecomputedJson<V2CollectionsResponse> V2Collections,
    PrecomputedJson<V1AnalysisResultsResponse> V1AnalysisResults,
    PrecomputedJson<V2AnalysisResultsResponse> V2AnalysisResults)
{
    public static MetadataResponseSet Render(ReleaseCatalogState state, ReleaseMetadata? current) => new(
        state,
        HealthApi.Render(state.CurrentRelease),
        VersionsApi.Render(state),
        CollectionsApi.RenderV1(current),
        CollectionsApi.RenderV2(current),
        AnalysisResultsApi.RenderV1(current),
        AnalysisResultsApi.RenderV2(current));
}

/// <summary>
/// Hands out the <see cref="MetadataResponseSet"/> of the catalog's current state, re-rendering it only when the
/// catalog published a new state (a reference comparison per request).
/// </summary>
internal sealed class MetadataResponses(ReleaseCatalog catalog)
{
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
            set = MetadataResponseSet.Render(state, state.CurrentRelease is { } current ? catalog.GetMetadata(current) : null);
            _set = set;
            return set;
        }
    }
}
