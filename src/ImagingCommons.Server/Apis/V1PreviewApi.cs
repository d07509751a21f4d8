using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

using ManifestAnswer = Results<WireOk<V1ManifestResponse<V1ManifestCohort>>, WirePending, WireError>;
using ManifestPageAnswer = Results<WireOk<V1ManifestPage>, WirePending, WireError>;
using QueryAnswer = Results<WireOk<V1QueryResponse<V1QueryCohort>>, WirePending, WireError>;
using QueryPageAnswer = Results<WireOk<V1QueryPage>, WirePending, WireError>;

/// <summary>
/// The public (no-auth) v1 manifest and query routes and their nextPage routes (spec §6.6, §6.7), plus the
/// 2020-2021 spellings of Appendix B that IDC's example notebook uses, paged on the same route.
/// </summary>
internal static class V1PreviewApi
{
    public static IEndpointRouteBuilder MapV1PreviewApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/cohorts").WithTags("v1 cohorts (preview)").ProducesApiErrors(429);
        v1.MapPost("/manifest/preview", ManifestPreview).WithName("v1ManifestPreview").WithSummary("Manifest of a cohort definition, without saving it").AcceptsJson<V1CohortDefinition>();
        v1.MapGet("/manifest/nextPage", ManifestNextPage).WithName("v1ManifestNextPage").WithSummary("Next page of a manifest");
        v1.MapPost("/query/preview", QueryPreview).WithName("v1QueryPreview").WithSummary("Distinct field combinations of a cohort definition").AcceptsJson<V1QueryPreviewRequest>();
        v1.MapGet("/query/nextPage", QueryNextPage).WithName("v1QueryNextPage").WithSummary("Next page of a query");
        v1.MapPost("/preview/manifest", ManifestPreviewSameRoute).WithName("v1PreviewManifest")
            .WithSummary("2020-2021 spelling of /cohorts/manifest/preview: later pages pass next_page back to this route").AcceptsJson<V1CohortDefinition>();
        v1.MapPost("/preview/query", QueryPreviewSameRoute).WithName("v1PreviewQuery")
            .WithSummary("2020-2021 spelling of /cohorts/query/preview: later pages pass next_page back to this route").AcceptsJson<V1QueryPreviewRequest>();
        return routes;
    }

    public static async Task<ManifestAnswer> ManifestPreview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var cohort = V1Requests.CohortDefinition(body);
        if (!cohort.IsValid)
        {
            return cohort.Error;
        }

        var options = V1Requests.ManifestOptions(request);
        if (!options.IsValid)
        {
            return options.Error;
        }

        var release = catalog.CurrentRelease!;
        var (name, description, filters) = cohort.Value;
        var spec = new QuerySpec { Kind = QueryKind.V1Manifest, Filters = filters, Fields = options.Value.Columns };
        var echo = new FilterSetEcho(release, filters.ToWire(normalizeCollectionIds: true));
        return await Listings.V1ManifestAsync(
            paging, Identities.Anonymous, release, spec, options.Value, sql => new V1ManifestCohort(name!, description, echo, sql), cancellationToken);
    }

    public static Task<ManifestPageAnswer> ManifestNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        Listings.V1ManifestNextPageAsync(request, paging, cancellationToken);

    public static async Task<QueryAnswer> QueryPreview(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var preview = V1Requests.QueryPreview(body);
        if (!preview.IsValid)
        {
            return preview.Error;
        }

        var options = V1Requests.QueryOptions(request);
        if (!options.IsValid)
        {
            return options.Error;
        }

        var release = catalog.CurrentRelease!;
        var (name, description, filters) = preview.Value.Cohort;
        var spec = new QuerySpec { Kind = QueryKind.V1Query, Filters = filters, Fields = preview.Value.Fields };
        var shown = filters.ToWire(normalizeCollectionIds: true);
        return await Listings.V1QueryAsync(
            paging, Identities.Anonymous, release, spec, options.Value,
            sql => new V1QueryCohort(name!, description, shown, new FilterSetEcho(release, shown), sql), cancellationToken);
    }

    public static Task<QueryPageAnswer> QueryNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        Listings.V1QueryNextPageAsync(request, paging, TokenFamilies.V1Query, cancellationToken);

    /// <summary>POST /v1/cohorts/preview/manifest: a first page, or, with next_page, the next page of the same listing.</summary>
    public static async Task<IResult> ManifestPreviewSameRoute(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken) =>
        V1Requests.ContinuesOnSameRoute(request)
            ? await ManifestNextPage(request, paging, cancellationToken)
            : await ManifestPreview(request, catalog, paging, cancellationToken);

    /// <summary>POST /v1/cohorts/preview/query: a first page, or, with next_page, the next page of the same listing.</summary>
    public static async Task<IResult> QueryPreviewSameRoute(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken) =>
        V1Requests.ContinuesOnSameRoute(request)
            ? await QueryNextPage(request, paging, cancellationToken)
            : await QueryPreview(request, catalog, paging, cancellationToken);
}
