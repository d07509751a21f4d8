using ImagingCommons.Contracts;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
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
    public static Results<PrecomputedJson<V1AnalysisResultsResponse>, WireError> GetV1AnalysisResults(HttpRequest request, MetadataResponses responses) =>
        V1Arguments.FirstUnexpected(request, "idc_data_version") is { } unexpected
            ? Wire.BadRequest(ErrorTexts.V1InvalidArgument(unexpected))
            : responses.Current.Current.V1AnalysisResults;

    /// <remarks>Parameters are ignored.</remarks>
    public static PrecomputedJson<V2AnalysisResultsResponse> GetV2AnalysisResults(MetadataResponses responses) =>
        responses.Current.Current.V2AnalysisResults;

    /// <summary>
    /// v1 puts the title in <c>description</c> and reports a hard-coded <c>idc_data_versions</c>: the original answered
    /// ["1.0"] while 1.0 was current and ["1.0","2.0"] ever after.
    /// </summary>
    public static PrecomputedJson<V1AnalysisResultsResponse> RenderV1(ReleaseMetadata? release)
    {
        IReadOnlyList<string> versions = release?.Version == "1.0" ? ["1.0"] : ["1.0", "2.0"];
        return new(new V1AnalysisResultsResponse(
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
            StatusCodes.Status200OK));
    }

    public static PrecomputedJson<V2AnalysisResultsResponse> RenderV2(ReleaseMetadata? release) => new(
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
            StatusCodes.Status200OK));
}
