using ImagingCommons.Client.Http;
using ImagingCommons.Client.Paging;
using ImagingCommons.Contracts;

namespace ImagingCommons.Client;

/// <summary>Which API version's rules a saved-cohort call follows (its filter keys and value types).</summary>
public enum IdcApiVersion
{
    /// <summary>IDC API v1: case-sensitive keys, every stored value listed as a string.</summary>
    V1,

    /// <summary>IDC API v2: case-insensitive keys, ranged values as numbers.</summary>
    V2,
}

/// <summary>
/// Saved cohorts (spec §6.8, §7.9) and the caller's account: every call needs a credential of a registered user
/// (<see cref="ImagingCommonsClientOptions.Credential"/>). Cohorts are pinned to the release current when they were
/// saved, and their manifests keep coming from it.
/// </summary>
public sealed class CohortsClient : ApiArea
{
    private static readonly ContractsJsonContext Json = ContractsJsonContext.Default;

    internal CohortsClient(ApiTransport transport, PendingResumer resumer)
        : base(transport, resumer)
    {
    }

    /// <summary>GET /v2/cohorts (or /v1/cohorts): the caller's active cohorts.</summary>
    public async Task<IReadOnlyList<CohortListEntry>> ListAsync(IdcApiVersion version = IdcApiVersion.V2, CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync(Prefix(version) + "cohorts", Json.CohortListResponse, cancellationToken).ConfigureAwait(false)).Cohorts;

    /// <summary>POST /v2/cohorts: saves a cohort on the current release (sent once: saving is not retried).</summary>
    public async Task<CohortProperties> CreateAsync(V2CohortDefinition cohort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        return (await Transport.SendAsync(HttpMethod.Post, "v2/cohorts", cohort, Json.V2CohortDefinition, Json.CohortCreatedResponse, retry: false, cancellationToken)
            .ConfigureAwait(false)).CohortProperties;
    }

    /// <summary>POST /v1/cohorts: saves a cohort with v1's filter rules (sent once).</summary>
    public async Task<CohortProperties> CreateV1Async(V1CohortDefinition cohort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        return (await Transport.SendAsync(HttpMethod.Post, "v1/cohorts", cohort, Json.V1CohortDefinition, Json.CohortCreatedResponse, retry: false, cancellationToken)
            .ConfigureAwait(false)).CohortProperties;
    }

    /// <summary>DELETE /v2/cohorts (or /v1/cohorts): one outcome per id, in the order given (unknown and foreign ids are outcomes, not errors).</summary>
    public async Task<IReadOnlyList<CohortDeletion>> DeleteAsync(IEnumerable<long> cohortIds, IdcApiVersion version = IdcApiVersion.V2, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cohortIds);
        return (await Transport.SendAsync(HttpMethod.Delete, Prefix(version) + "cohorts", new CohortIds([.. cohortIds]), Json.CohortIds, Json.CohortDeletionsResponse, retry: true, cancellationToken)
            .ConfigureAwait(false)).Cohorts;
    }

    /// <summary>
    /// POST /v2/cohorts/manifest/{id} and GET /v2/cohorts/manifest/nextPage: a saved cohort's manifest, on its own
    /// release. Tokens are bound to the caller.
    /// </summary>
    public AsyncPageable<ResultRow> GetManifest(long cohortId, V2ManifestRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v2/cohorts/manifest/" + Number(cohortId), pageSize is { } size ? request with { PageSize = size } : request,
                Json.V2ManifestRequest, Json.V2ManifestResponseV2SavedCohortEcho, token),
            first => (first.Manifest.ManifestData, first.NextPage, first.Manifest.TotalFound),
            "v2/cohorts/manifest/nextPage",
            Json.V2ManifestPage,
            page => (page.Manifest.ManifestData, page.NextPage, page.Manifest.TotalFound),
            cancellationToken,
            request.PageSize);
    }

    /// <summary>GET /v1/cohorts/manifest/{id} and its nextPage route: a saved cohort's v1 manifest (<see cref="V1ManifestColumns"/>).</summary>
    public AsyncPageable<ResultRow> GetV1Manifest(long cohortId, IEnumerable<string> columns, CancellationToken cancellationToken = default)
    {
        var selection = V1Client.ColumnsQuery(columns);
        return Listing(
            (pageSize, token) => Transport.GetPagedAsync("v1/cohorts/manifest/" + Number(cohortId) + selection + V1Client.PageSize(pageSize, "&"), Json.V1ManifestResponseV1SavedCohortEcho, token),
            first => (first.Manifest.JsonManifest, first.NextPage, first.Manifest.TotalFound),
            "v1/cohorts/manifest/nextPage",
            Json.V1ManifestPage,
            page => (page.Manifest.JsonManifest, page.NextPage, page.Manifest.TotalFound),
            cancellationToken);
    }

    /// <summary>POST /v1/cohorts/query/{id} and GET /v1/cohorts/query/nextPage: distinct combinations of v1 query fields of a saved cohort.</summary>
    public AsyncPageable<ResultRow> GetV1Query(long cohortId, IEnumerable<string> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var body = new V1QueryFields([.. fields]);
        return Listing(
            (pageSize, token) => Transport.SendPagedAsync(
                HttpMethod.Post, "v1/cohorts/query/" + Number(cohortId) + V1Client.PageSize(pageSize, "?"), body, Json.V1QueryFields, Json.V1QueryResponseV1SavedCohortEcho, token),
            first => (first.QueryResults.Json, first.NextPage, first.QueryResults.TotalFound),
            "v1/cohorts/query/nextPage",
            Json.V1QueryPage,
            page => (page.QueryResults.Json, page.NextPage, page.QueryResults.TotalFound),
            cancellationToken);
    }

    /// <summary>GET /v1/cohorts/{id}: a saved cohort as a tree down to <paramref name="level"/>, paged by leaves on the same route.</summary>
    public AsyncPageable<CollectionNode> GetCohortObjects(long cohortId, CohortObjectsLevel level = CohortObjectsLevel.Series, CancellationToken cancellationToken = default)
    {
        var path = "v1/cohorts/" + Number(cohortId);
        return SameRouteListing(
            (pageSize, token) => Transport.GetPagedAsync(path + "?return_level=" + level + V1Client.PageSize(pageSize, "&"), Json.V1CohortObjectsResponseV1SavedCohortEcho, token),
            first => (first.CohortObjects.Collections, first.NextPage, first.CohortObjects.TotalFound),
            (next, pageSize, token) => Transport.GetPagedAsync(path + NextPageQuery(next, pageSize), Json.V1CohortObjectsResponseEmptyObject, token),
            page => (page.CohortObjects.Collections, page.NextPage, page.CohortObjects.TotalFound),
            cancellationToken);
    }

    /// <summary>GET /v2/users/account_details: the caller's account.</summary>
    public async Task<UserDetails> GetAccountDetailsAsync(CancellationToken cancellationToken = default) =>
        (await Transport.GetAsync("v2/users/account_details", Json.AccountDetailsResponse, cancellationToken).ConfigureAwait(false)).UserDetails;

    private static string Prefix(IdcApiVersion version) => version == IdcApiVersion.V1 ? "v1/" : "v2/";
}
