using ImagingCommons.Contracts;
using ImagingCommons.Server.Responses;

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
}
