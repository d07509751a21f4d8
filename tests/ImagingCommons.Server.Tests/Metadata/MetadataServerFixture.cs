using ImagingCommons.Data.Releases;

using ImagingCommons.Testing;

namespace ImagingCommons.Server.Tests.Metadata;

/// <summary>
/// A data directory listing versions 1.0, 2.0 and 3.0 and holding releases 2.0 (old) and 3.0 (current), served by
/// one real server for the whole test class.
/// </summary>
public sealed class MetadataServerFixture : IAsyncLifetime
{
    private readonly TempDataDirectory _directory = new();

    public ImagingCommonsApplication Server { get; private set; } = null!;

    public static IReadOnlyList<VersionEntry> Versions { get; } =
        [new("1.0", "2020-10-06"), new("2.0", "2020-12-18"), new("3.0", "2021-03-15")];

    /// <summary>HTML with characters JSON must carry through, long enough that the collection lists exceed the gzip threshold.</summary>
    public static string PradDescription { get; } =
        "<p>The Cancer Genome Atlas Prostate Adenocarcinoma (TCGA-PRAD) & \"quotes\" – Ünïcode</p>"
        + string.Concat(Enumerable.Repeat("<p>Imaging and clinical data of prostate cancer subjects.</p>", 20));

    /// <summary>Storage order deliberately unsorted: tcga_prad, lidc_idri, nlst.</summary>
    public static IReadOnlyList<TableRow> CurrentCollections { get; } =
    [
        new()
        {
            ["collection_id"] = "tcga_prad",
            ["collection_name"] = "TCGA-PRAD",
            ["cancer_types"] = "Prostate Cancer",
            ["tumor_locations"] = "Prostate",
            ["species"] = "Human",
            ["source_doi"] = "10.7937/K9/TCIA.2016.YXOGLM4Y 10.5281/zenodo.12689935",
            ["source_url"] = "https://doi.org/10.7937/K9/TCIA.2016.YXOGLM4Y https://doi.org/10.5281/zenodo.12689935",
            ["image_types"] = "CT, MR, PT, SM, ANN, SEG",
            ["supporting_data"] = "Clinical, Genomics, Histopathology",
            ["program_id"] = "TCGA",
            ["status"] = "Complete",
            ["description"] = PradDescription,
            ["license_short_name"] = "CC BY 3.0",
            ["subjects"] = 500L,
            ["updated"] = "2016-08-29",
        },
        new()
        {
            ["collection_id"] = "lidc_idri",
            ["collection_name"] = "LIDC-IDRI",
            ["cancer_types"] = "Lung Cancer",
            ["tumor_locations"] = "Chest",
            ["species"] = "Human",
            ["source_doi"] = "10.7937/K9/TCIA.2015.LO9QL9SX",
            ["source_url"] = "https://doi.org/10.7937/K9/TCIA.2015.LO9QL9SX",
            ["image_types"] = "CT, DX, CR, SEG, SR",
            ["supporting_data"] = "Image Analyses",
            ["program_id"] = "Community",
            ["status"] = "Complete",
            ["description"] = "<p>Lung Image Database Consortium</p>",
            ["license_short_name"] = "CC BY 3.0",
            ["subjects"] = 1010L,
            ["updated"] = "2020-09-21",
        },
        new() { ["collection_id"] = "nlst" },
    ];

    /// <summary>Storage order deliberately unsorted.</summary>
    public static IReadOnlyList<TableRow> CurrentAnalysisResults { get; } =
    [
        new()
        {
            ["analysis_result_id"] = "DICOM-LIDC-IDRI-Nodules",
            ["analysis_result_title"] = "Standardized representation of the TCIA LIDC-IDRI annotations using DICOM",
            ["source_doi"] = "10.7937/TCIA.2018.h7umfurq",
            ["source_url"] = "https://doi.org/10.7937/TCIA.2018.h7umfurq",
            ["cancer_types"] = "Lung Cancer, Metastatic disease, Non-Cancer",
            ["tumor_locations"] = "Chest",
            ["collections"] = "lidc_idri",
            ["modalities"] = "SEG, SR",
            ["license_url"] = "https://creativecommons.org/licenses/by/3.0/",
            ["license_long_name"] = "Creative Commons Attribution 3.0 Unported License",
            ["license_short_name"] = "CC BY 3.0",
            ["description"] = "<p>Nodule segmentations & measurements</p>",
            ["citation"] = "Fedorov et al.",
            ["subjects"] = 875L,
            ["updated"] = "2018-05-01",
        },
        new() { ["analysis_result_id"] = "BAMF-AIMI-Annotations" },
    ];

    public async ValueTask InitializeAsync()
    {
        TestReleases.Write(_directory.Data, "2.0", "2020-12-18", [new() { ["collection_id"] = "old_collection" }], null);
        TestReleases.Write(_directory.Data, "3.0", "2021-03-15", CurrentCollections, CurrentAnalysisResults);
        _directory.Data.WriteVersions(Versions);
        Server = await ImagingCommonsApplication.StartAsync(_directory.Path);
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        _directory.Dispose();
    }
}
