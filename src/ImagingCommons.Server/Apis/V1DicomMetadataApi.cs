using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Paging;

using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// v1 /dicomMetadata (spec §6.10): 70 fixed columns of every instance. The original was hard-wired to IDC v4's
/// table; we serve the current release (recommendation 26 of the spec).
/// </summary>
internal static class V1DicomMetadataApi
{
    public static IEndpointRouteBuilder MapV1DicomMetadataApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/dicomMetadata").WithTags("v1 dicomMetadata");
        v1.MapGet("", DicomMetadata).WithName("v1DicomMetadata").WithSummary("DICOM metadata of every instance of the current release, paged").Paged<DicomMetadataShape>();
        v1.MapGet("/nextPage", NextPage).WithName("v1DicomMetadataNextPage").WithSummary("Next page of /dicomMetadata").Paged<QueryNextPageShape>();
        return routes;
    }

    public static async Task<IResult> DicomMetadata(HttpRequest request, ReleaseCatalog catalog, PagedQueries paging, CancellationToken cancellationToken)
    {
        if (V1Arguments.FirstUnexpected(request, "page_size") is { } unexpected)
        {
            return JsonBody.BadRequest("Invalid key " + unexpected);
        }

        if (!RequestInput.TryPageSize(RequestInput.Query(request, "page_size"), out var pageSize))
        {
            return JsonBody.BadRequest(V1PreviewApi.BadPageSize);
        }

        var spec = new QuerySpec { Kind = QueryKind.V1DicomMetadata, Filters = FilterSet.Empty(ApiVersion.V1) };
        var outcome = await paging.FirstPageAsync(Identities.None, TokenFamilies.V1DicomMetadata, catalog.CurrentRelease!, spec, pageSize, cancellationToken);
        if (outcome.Status == PageStatus.Pending)
        {
            return ResultRendering.Pending(outcome.Token);
        }

        return JsonBody.Ok(new JsonObject
        {
            ["code"] = 200,
            ["query_results"] = ResultRendering.Block(outcome, "json"),
            ["next_page"] = outcome.NextPage,
        });
    }

    public static Task<IResult> NextPage(HttpRequest request, PagedQueries paging, CancellationToken cancellationToken) =>
        V1PreviewApi.NextPage(request, paging, TokenFamilies.V1DicomMetadata, "query_results", "json", includeEmptyCohort: true, cancellationToken);
}
