using System.Text.Json.Serialization;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// GET /v1/collections (spec §6.3: storage order, <c>doi</c>) and /v2/collections (spec §7.3: sorted by
/// collection_id, <c>source_doi</c> and <c>source_url</c>), over the current release's original_collections_metadata.
/// </summary>
internal static class CollectionsApi
{
    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/collections", GetV1Collections)
            .WithName("GetV1Collections")
            .WithSummary("Original collections of the current IDC data version, in storage order")
            .WithTags("v1");
        app.MapGet("/v2/collections", GetV2Collections)
            .WithName("GetV2Collections")
            .WithSummary("Original collections of the current IDC data version, sorted by collection_id")
            .WithTags("v2");
        return app;
    }

    /// <remarks><c>idc_data_version</c> is accepted and ignored, as the original did; any other parameter is a 400.</remarks>
    public static Results<PrecomputedJson<V1CollectionsResponse>, BadRequest<ApiError>> GetV1Collections(
        HttpRequest request, MetadataResponses responses) =>
        V1Arguments.FirstUnexpected(request, "idc_data_version") is { } unexpected
            ? TypedResults.BadRequest(ApiError.InvalidArgument(unexpected))
            : responses.Current.V1Collections;

    /// <remarks>Parameters are ignored.</remarks>
    public static PrecomputedJson<V2CollectionsResponse> GetV2Collections(MetadataResponses responses) =>
        responses.Current.V2Collections;

    public static PrecomputedJson<V1CollectionsResponse> RenderV1(ReleaseMetadata? release) => WireJson.Precompute(
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
                SupportingData: c.SupportingData))]),
        WireJsonContext.Default.V1CollectionsResponse);

    public static PrecomputedJson<V2CollectionsResponse> RenderV2(ReleaseMetadata? release) => WireJson.Precompute(
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
                SupportingData: c.SupportingData))]),
        WireJsonContext.Default.V2CollectionsResponse);
}

internal sealed record V1CollectionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("collections")] IReadOnlyList<V1Collection> Collections);

internal sealed record V1Collection(
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collection_id")] string CollectionId,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("image_types")] string? ImageTypes,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("species")] string? Species,
    [property: JsonPropertyName("subject_count")] long? SubjectCount,
    [property: JsonPropertyName("supporting_data")] string? SupportingData);

internal sealed record V2CollectionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("collections")] IReadOnlyList<V2Collection> Collections);

internal sealed record V2Collection(
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collection_id")] string CollectionId,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("image_types")] string? ImageTypes,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("source_doi")] string? SourceDoi,
    [property: JsonPropertyName("source_url")] string? SourceUrl,
    [property: JsonPropertyName("species")] string? Species,
    [property: JsonPropertyName("subject_count")] long? SubjectCount,
    [property: JsonPropertyName("supporting_data")] string? SupportingData);
