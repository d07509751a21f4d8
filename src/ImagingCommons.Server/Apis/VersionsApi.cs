using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Apis;

/// <summary>GET /v1/versions and /v2/versions (spec §6.2, §7.2): the version list; only the current release is active.</summary>
internal static class VersionsApi
{
    private const string ImageData = "Image Data";
    private const string ClinicalData = "Clinical, Biospecimen, and Mutation Data";

    public static IEndpointRouteBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/versions", GetVersions).WithName("GetV1Versions").WithSummary("IDC data versions").WithTags("v1");
        app.MapGet("/v2/versions", GetVersions).WithName("GetV2Versions").WithSummary("IDC data versions").WithTags("v2");
        return app;
    }

    public static PrecomputedJson<VersionsResponse> GetVersions(MetadataResponses responses) => responses.Current.Versions;

    /// <summary>
    /// Each version also lists its data sources, as the 2020-2021 API did (IDC's own example notebook reads
    /// <c>data_sources[].name</c> and <c>data_type</c>); the names are those /v2/filters and /v2/fields report.
    /// </summary>
    public static PrecomputedJson<VersionsResponse> Render(ReleaseCatalogState state) => new(
        new VersionsResponse(
            StatusCodes.Status200OK,
            [.. state.Versions.Select(v => new VersionItem(
                string.Equals(v.IdcDataVersion, state.CurrentRelease, StringComparison.Ordinal),
                [
                    new VersionDataSource(ClinicalData, DataSources.Name(SourceTable.Biospecimen, v.IdcDataVersion)),
                    new VersionDataSource(ClinicalData, DataSources.Name(SourceTable.Clinical, v.IdcDataVersion)),
                    new VersionDataSource(ImageData, DataSources.Name(SourceTable.DicomPivot, v.IdcDataVersion)),
                ],
                v.DateActive,
                v.IdcDataVersion))]));
}

/// <summary>The BigQuery-style names of the three sources, as the original reported them.</summary>
internal static class DataSources
{
    public static string Name(SourceTable table, string release) => table switch
    {
        SourceTable.DicomPivot => $"bigquery-public-data.idc_v{release.Split('.')[0]}.dicom_pivot",
        SourceTable.Clinical => "bigquery-public-data.idc_v4.tcga_clinical_rel9",
        _ => "bigquery-public-data.idc_v4.tcga_biospecimen_rel9",
    };
}
