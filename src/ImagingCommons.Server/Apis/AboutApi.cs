using System.Text.Json.Serialization;

namespace ImagingCommons.Server.Apis;

/// <summary>GET /v1/about and /v2/about (spec §6.1, §7.1): constant texts.</summary>
internal static class AboutApi
{
    // The original's documentation text, the same for both versions (v1 points at the v2 Swagger page: spec §10 #23).
    internal const string Documentation =
        "SwaggerUI interface available at <https://api.imaging.datacommons.cancer.gov/v2/swagger/>. "
        + "Documentation is available at <https://learn.canceridc.dev/>";

    private static readonly PrecomputedJson<AboutResponse> V1 = WireJson.Precompute(
        new AboutResponse(StatusCodes.Status200OK, Documentation, "Welcome to the NCI IDC API, Version 1"),
        WireJsonContext.Default.AboutResponse);

    private static readonly PrecomputedJson<AboutResponse> V2 = WireJson.Precompute(
        new AboutResponse(StatusCodes.Status200OK, Documentation, "Welcome to the NCI IDC API, Version 2"),
        WireJsonContext.Default.AboutResponse);

    public static IEndpointRouteBuilder MapAboutApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/about", GetV1About).WithName("GetV1About").WithSummary("Welcome message and documentation links").WithTags("v1");
        app.MapGet("/v2/about", GetV2About).WithName("GetV2About").WithSummary("Welcome message and documentation links").WithTags("v2");
        return app;
    }

    public static PrecomputedJson<AboutResponse> GetV1About() => V1;

    public static PrecomputedJson<AboutResponse> GetV2About() => V2;
}

internal sealed record AboutResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("documentation")] string Documentation,
    [property: JsonPropertyName("message")] string Message);
