using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// v1 /dicomMetadata (spec §6.10): 70 fixed columns of every instance. The original was hard-wired to IDC v4's
/// table; we serve the current release (recommendation 26 of the spec).
/// </summary>
internal static class V1DicomMetadataApi
{
    public static IEndpointRouteBuilder MapV1DicomMetadataApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/dicomMetadata").WithTags("v1 dicomMetadata").ProducesApiErrors(429);
        v1.MapGet("", DicomMetadata).WithName("v1DicomMetadata").WithSummary("DICOM metadata of every instance of the current release, paged");
        v1.MapGet("/nextPage", NextPage).WithName("v1DicomMetadataNextPage").WithSummary("Next page of /dicomMetadata");
        return routes;
    }

    public static async Task<Results<WireOk<V1DicomMetadataResponse>, WirePending, WireError>> DicomMetadata(
        HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        var options = V1Requests.DicomMetadataOptions(request);
        if (!options.IsValid)
        {
            return options.Error;
        }

        var spec = new QuerySpec { Kind = QueryKind.V1DicomMetadata, Filters = FilterSet.Empty(ApiVersion.V1) };
        var outcome = await paging.FirstPageAsync(Identities.None, TokenFamilies.V1DicomMetadata, catalog.CurrentRelease!, spec, options.Value.PageSize, cancellationToken);
        return outcome.Status == PageStatus.Pending
            ? Pages.Pending(outcome.Token)
            : Wire.Ok(new V1DicomMetadataResponse(StatusCodes.Status200OK, Pages.QueryResults(outcome), outcome.NextPage));
    }

    public static Task<Results<WireOk<V1QueryPage>, WirePending, WireError>> NextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        Listings.V1QueryNextPageAsync(request, paging, TokenFamilies.V1DicomMetadata, cancellationToken);
}
