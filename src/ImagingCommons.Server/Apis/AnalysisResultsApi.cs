using System.Text.Json.Serialization;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>
/// GET /v1/analysis_results (spec §6.4) and /v2/analysis_results (spec §7.4) over the current release's
/// analysis_results_metadata, both in storage order.
/// </summary>
internal static class AnalysisResultsApi
{
    public static IEndpointRouteBuilder MapAnalysisResultsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/analysis_results", GetV1AnalysisResults)
            .WithName("GetV1AnalysisResults")
            .WithSummary("Analysis results of the current IDC data version")
            .WithTags("v1");
        app.MapGet("/v2/analysis_results", GetV2AnalysisResults)
            .WithName("GetV2AnalysisResults")
            .WithSummary("Analysis results of the current IDC data version")
            .WithTags("v2");
        return app;
    }

    /// <remarks><c>idc_data_version</c> is accepted and ignored, as the original did; any other parameter is a 400.</remarks>
    public static Results<PrecomputedJson<V1AnalysisResultsResponse>, BadRequest<ApiError>> GetV1AnalysisResults(
        HttpRequest request, MetadataResponses responses) =>
        V1Arguments.FirstUnexpected(request, "idc_data_version") is { } unexpected
            ? TypedResults.BadRequest(ApiError.InvalidArgument(unexpected))
            : responses.Current.V1AnalysisResults;

    /// <remarks>Parameters are ignored.</remarks>
    public static PrecomputedJson<V2AnalysisResultsResponse> GetV2AnalysisResults(MetadataResponses responses) =>
        responses.Current.V2AnalysisResults;

    /// <summary>
    /// v1 puts the title in <c>description</c> and reports a hard-coded <c>idc_data_versions</c>: the original answered
    /// ["1.0"] while 1.0 was current and ["1.0","2.0"] ever after.
    /// </summary>
    public static PrecomputedJson<V1AnalysisResultsResponse> RenderV1(ReleaseMetadata? release)
    {
        IReadOnlyList<string> versions = release?.Version == "1.0" ? ["1.0"] : ["1.0", "2.0"];
        return WireJson.Precompute(
            new V1AnalysisResultsResponse(
                [.. (release?.AnalysisResults ?? []).Select(a => new V1AnalysisResult(
                    Active: true,
                    AnalysisArtifacts: a.Modalities,
                    CancerType: a.CancerTypes,
                    Collections: a.Collections,
                    DateUpdated: WireJson.Date(a.Updated),
                    Description: a.AnalysisResultTitle,
                    Doi: a.SourceDoi,
                    IdcDataVersions: versions,
                    Location: a.TumorLocations,
                    SubjectCount: a.Subjects))],
                StatusCodes.Status200OK),
            WireJsonContext.Default.V1AnalysisResultsResponse);
    }

    public static PrecomputedJson<V2AnalysisResultsResponse> RenderV2(ReleaseMetadata? release) => WireJson.Precompute(
        new V2AnalysisResultsResponse(
            [.. (release?.AnalysisResults ?? []).Select(a => new V2AnalysisResult(
                AnalysisArtifacts: a.Modalities,
                AnalysisResultId: a.AnalysisResultId,
                CancerType: a.CancerTypes,
                Collections: a.Collections,
                DateUpdated: WireJson.Date(a.Updated),
                Description: a.Description,
                Doi: a.SourceDoi,
                Location: a.TumorLocations,
                Subjects: a.Subjects,
                Title: a.AnalysisResultTitle))],
            StatusCodes.Status200OK),
        WireJsonContext.Default.V2AnalysisResultsResponse);
}

internal sealed record V1AnalysisResultsResponse(
    [property: JsonPropertyName("analysisResults")] IReadOnlyList<V1AnalysisResult> AnalysisResults,
    [property: JsonPropertyName("code")] int Code);

internal sealed record V1AnalysisResult(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("analysisArtifacts")] string? AnalysisArtifacts,
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collections")] string? Collections,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("idc_data_versions")] IReadOnlyList<string> IdcDataVersions,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("subject_count")] long? SubjectCount);

internal sealed record V2AnalysisResultsResponse(
    [property: JsonPropertyName("analysisResults")] IReadOnlyList<V2AnalysisResult> AnalysisResults,
    [property: JsonPropertyName("code")] int Code);

internal sealed record V2AnalysisResult(
    [property: JsonPropertyName("analysisArtifacts")] string? AnalysisArtifacts,
    [property: JsonPropertyName("analysis_result_id")] string AnalysisResultId,
    [property: JsonPropertyName("cancer_type")] string? CancerType,
    [property: JsonPropertyName("collections")] string? Collections,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("doi")] string? Doi,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("subjects")] long? Subjects,
    [property: JsonPropertyName("title")] string? Title);
