using ImagingCommons.Contracts;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// GET /v1/collections (spec §6.3: storage order, <c>doi</c>) and /v2/collections (spec §7.3: sorted by
/// collection_id, <c>source_doi</c> and <c>source_url</c>), over a release's original_collections_metadata.
/// </summary>
internal static class CollectionsApi
{
    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/collections", GetV1Collections)
            .WithName("GetV1Collections")
            .WithSummary("Original collections of the current IDC data version (or of idc_data_version when this server holds it), in storage order")
            .WithTags("v1");
        app.MapGet("/v2/collections", GetV2Collections)
            .WithName("GetV2Collections")
            .WithSummary("Original collections of the current IDC data version (or of idc_data_version when this server holds it), sorted by collection_id")
            .WithTags("v2");
        return app;
    }

    /// <remarks>
    /// <c>idc_data_version</c> naming a held release answers that release's collections; any other value answers the
    /// current release's, as the original did. Any other parameter is a 400.
    /// </remarks>
    public static Results<PrecomputedJson<V1CollectionsResponse>, WireError> GetV1Collections(HttpRequest request, MetadataResponses responses) =>
        V1Arguments.FirstUnexpected(request, "idc_data_version") is { } unexpected
            ? Wire.BadRequest(ErrorTexts.V1InvalidArgument(unexpected))
            : responses.ForRelease(RequestInput.Query(request, "idc_data_version")).V1Collections;

    /// <remarks>Other parameters are ignored, as the original did.</remarks>
    public static PrecomputedJson<V2CollectionsResponse> GetV2Collections(HttpRequest request, MetadataResponses responses) =>
        responses.ForRelease(RequestInput.Query(request, "idc_data_version")).V2Collections;

    public static PrecomputedJson<V1CollectionsResponse> RenderV1(ReleaseMetadata? release) => new(
        new V1CollectionsResponse(
            StatusCodes.Status200OK,
            [.. (release?.Collections ?? []).Select(c => new V1Collection(
                CancerType: c.CancerTypes,
                CollectionId: c.CollectionId,
                DateUpdated: WireJson.Date(c.Updated),
                Description: c.Description,
                Doi: c.SourceDoi,
                ImageTypes: c.ImageTypes,
                Location: c.TumorLocations,
                Species: c.Species,
                SubjectCount: c.Subjects,
                SupportingData: c.SupportingData))]));

    public static PrecomputedJson<V2CollectionsResponse> RenderV2(ReleaseMetadata? release) => new(
        new V2CollectionsResponse(
            StatusCodes.Status200OK,
            [.. (release?.Collections ?? []).OrderBy(c => c.CollectionId, StringComparer.Ordinal).Select(c => new V2Collection(
                CancerType: c.CancerTypes,
                CollectionId: c.CollectionId,
                DateUpdated: WireJson.Date(c.Updated),
                Description: c.Description,
                ImageTypes: c.ImageTypes,
                Location: c.TumorLocations,
                SourceDoi: c.SourceDoi,
                SourceUrl: c.SourceUrl,
                Species: c.Species,
                SubjectCount: c.Subjects,
                SupportingData: c.SupportingData))]));
}
