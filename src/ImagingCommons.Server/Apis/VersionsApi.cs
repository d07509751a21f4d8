using System.Text.Json.Serialization;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Server.Apis;

/// <summary>GET /v1/versions and /v2/versions (spec §6.2, §7.2): the version list; only the current release is active.</summary>
internal static class VersionsApi
{
    public static IEndpointRouteBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/versions", GetVersions).WithName("GetV1Versions").WithSummary("IDC data versions").WithTags("v1");
        app.MapGet("/v2/versions", GetVersions).WithName("GetV2Versions").WithSummary("IDC data versions").WithTags("v2");
        return app;
    }

    public static PrecomputedJson<VersionsResponse> GetVersions(MetadataResponses responses) => responses.Current.Versions;

    public static PrecomputedJson<VersionsResponse> Render(ReleaseCatalogState state) => WireJson.Precompute(
        new VersionsResponse(
            StatusCodes.Status200OK,
            [.. state.Versions.Select(v => new VersionItem(
                string.Equals(v.IdcDataVersion, state.CurrentRelease, StringComparison.Ordinal), v.DateActive, v.IdcDataVersion))]),
        WireJsonContext.Default.VersionsResponse);
}

internal sealed record VersionsResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("versions")] IReadOnlyList<VersionItem> Versions);

internal sealed record VersionItem(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("date_active")] string DateActive,
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion);
