using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>The public v2 manifest routes (spec §7.8.1-7.8.3, §7.8.5).</summary>
internal static class V2ManifestApi
{
    public static IEndpointRouteBuilder MapV2ManifestApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/cohorts/manifest").WithTags("v2 manifests (preview)").ProducesApiErrors(429);
        v2.MapPost("/preview", Preview).WithName("v2ManifestPreview").WithSummary("Manifest of a cohort definition, without saving it").AcceptsJson<V2ManifestPreviewRequest>();
        v2.MapGet("/preview/nextPage", PreviewNextPage).WithName("v2ManifestPreviewNextPage").WithSummary("Next page of a preview manifest");
        return routes;
    }

    public static async Task<Results<WireOk<V2ManifestResponse<V2CohortEcho>>, WirePending, WireError>> Preview(
        HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        using var body = await RequestInput.ReadJsonAsync(request, cancellationToken);
        var preview = V2Requests.ManifestPreview(body);
        if (!preview.IsValid)
        {
            return preview.Error;
        }

        var ((name, description, filters), options) = (preview.Value.Cohort, preview.Value.Options);
        var release = catalog.CurrentRelease!;
        var spec = new QuerySpec
        {
            Kind = QueryKind.V2Manifest,
            Filters = filters,
            Fields = options.Fields,
            Counts = options.Counts,
            GroupSize = options.GroupSize,
        };
        var shown = new FilterSetEcho(release, filters.ToWire(normalizeCollectionIds: true));
        return await Listings.V2ManifestAsync(paging, Identities.Anonymous, release, spec, options, sql => new V2CohortEcho(name, description, shown, sql), cancellationToken);
    }

    public static Task<Results<WireOk<V2ManifestPage>, WirePending, WireError>> PreviewNextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        Listings.V2ManifestNextPageAsync(request, paging, Identities.Anonymous, cancellationToken);
}
