using System.Text.Json.Serialization;

namespace ImagingCommons.Server.Apis;

/// <summary>Our own liveness route (not part of the IDC contract).</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth)
            .WithName("GetHealth")
            .WithSummary("Liveness, and the release the server currently serves")
            .WithTags("Health");
        return app;
    }

    public static PrecomputedJson<HealthResponse> GetHealth(MetadataResponses responses) => responses.Current.Health;

    public static PrecomputedJson<HealthResponse> Render(string? currentRelease) =>
        WireJson.Precompute(new HealthResponse("ok", currentRelease), WireJsonContext.Default.HealthResponse);
}

internal sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("current_release")] string? CurrentRelease);
