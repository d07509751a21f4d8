using static ImagingCommons.Testing.HandMadeRelease;

namespace ImagingCommons.Testing;

/// <summary>
/// The shared hand-made release "24.0" (3 collections, 6 patients, 7 studies, 9 series, 11 instances).
/// Expected answers in the tests are derived by reading this table, not by running the engine.
/// </summary>
///
/// collection  patient       study  series  sop   modality body     size slice date        description
/// tcga_luad   TCGA-05-0001  1.1    2.11    3.01  CT       CHEST     100  2.5  2001-01-02  CHEST CT
/// tcga_luad   TCGA-05-0001  1.1    2.11    3.02  CT       CHEST     200  2.5  2001-01-02  CHEST CT
/// tcga_luad   TCGA-05-0001  1.1    2.12    3.03  SEG      -          50  -    2001-01-02  CHEST CT   (analysis BAMF)
/// tcga_luad   TCGA-05-0002  1.2    2.21    3.04  MR       Chest     300  5.0  2002-02-03  Lung
/// tcga_luad   TCGA-05-0003  1.3    2.31    3.05  CT       LUNG      400  1.0  2003-03-04  -
/// tcga_kirc   TCGA-B0-0001  1.4    2.41    3.06  CT       ABDOMEN   500  5.0  2004-04-05  ABDOMEN CT
/// tcga_kirc   TCGA-B0-0001  1.4    2.41    3.07  CT       ABDOMEN   600  5.0  2004-04-05  ABDOMEN CT
/// nlst        100001        1.5    2.51    3.08  CT       CHEST      10  2.0  1999-12-31  CT CHEST
/// nlst        100001        1.6    2.61    3.09  CT       CHEST      20  3.0  2000-06-30  CT CHEST FOLLOWUP
/// nlst        100001        1.6    2.62    3.10  SR       -           5  -    2000-06-30  CT CHEST FOLLOWUP (analysis TotalSegmentator)
/// nlst        100002        1.7    2.71    3.11  CT       -          30  -    2001-01-01  -
///
/// clinical: TCGA-05-0001 WHITE FEMALE 66 bmi 24.5 LUAD; TCGA-05-0002 ASIAN MALE 75 bmi NULL LUAD;
///           TCGA-B0-0001 WHITE MALE 50 bmi 30.0 KIRC; TCGA-05-0003 has no record.
/// biospecimen: TCGA-05-0001 Primary Tumor + Solid Tissue Normal; TCGA-05-0002 Primary Tumor; TCGA-B0-0001 Primary Tumor.
public sealed class SampleRelease : IDisposable
{
    public SampleRelease()
    {
        Release = new HandMadeRelease();
        Release.Write("24.0", Pivot, Clinical, Biospecimen);
    }

    public HandMadeRelease Release { get; }

    public static IReadOnlyList<Dictionary<string, object?>> Pivot =>
    [
        Instance("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "3.01", "CT", "CHEST", 100, 2.5, "2001-01-02", "CHEST CT"),
        Instance("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "3.02", "CT", "CHEST", 200, 2.5, "2001-01-02", "CHEST CT"),
        Instance("tcga_luad", "TCGA-05-0001", "1.1", "2.12", "3.03", "SEG", null, 50, null, "2001-01-02", "CHEST CT", analysisResult: "BAMF-AIMI-Annotations"),
        Instance("tcga_luad", "TCGA-05-0002", "1.2", "2.21", "3.04", "MR", "Chest", 300, 5.0, "2002-02-03", "Lung"),
        Instance("tcga_luad", "TCGA-05-0003", "1.3", "2.31", "3.05", "CT", "LUNG", 400, 1.0, "2003-03-04", null),
        Instance("tcga_kirc", "TCGA-B0-0001", "1.4", "2.41", "3.06", "CT", "ABDOMEN", 500, 5.0, "2004-04-05", "ABDOMEN CT"),
        Instance("tcga_kirc", "TCGA-B0-0001", "1.4", "2.41", "3.07", "CT", "ABDOMEN", 600, 5.0, "2004-04-05", "ABDOMEN CT"),
        Instance("nlst", "100001", "1.5", "2.51", "3.08", "CT", "CHEST", 10, 2.0, "1999-12-31", "CT CHEST"),
        Instance("nlst", "100001", "1.6", "2.61", "3.09", "CT", "CHEST", 20, 3.0, "2000-06-30", "CT CHEST FOLLOWUP"),
        Instance("nlst", "100001", "1.6", "2.62", "3.10", "SR", null, 5, null, "2000-06-30", "CT CHEST FOLLOWUP", analysisResult: "TotalSegmentator-CT-Segmentations"),
        Instance("nlst", "100002", "1.7", "2.71", "3.11", "CT", null, 30, null, "2001-01-01", null),
    ];

    public static IReadOnlyList<Dictionary<string, object?>> Clinical =>
    [
        Case("TCGA-05-0001", "WHITE", "FEMALE", 66, 24.5, "LUAD"),
        Case("TCGA-05-0002", "ASIAN", "MALE", 75, null, "LUAD"),
        Case("TCGA-B0-0001", "WHITE", "MALE", 50, 30.0, "KIRC"),
    ];

    public static IReadOnlyList<Dictionary<string, object?>> Biospecimen =>
    [
        Sample("TCGA-05-0001", "-01A", "Primary Tumor"),
        Sample("TCGA-05-0001", "-11A", "Solid Tissue Normal"),
        Sample("TCGA-05-0002", "-01A", "Primary Tumor"),
        Sample("TCGA-B0-0001", "-01A", "Primary Tumor"),
    ];

    private static Dictionary<string, object?> Case(string barcode, string race, string gender, long age, double? bmi, string disease) => new()
    {
        ["case_barcode"] = barcode,
        ["race"] = race,
        ["gender"] = gender,
        ["age_at_diagnosis"] = age,
        ["bmi"] = bmi,
        ["disease_code"] = disease,
        ["project_short_name"] = "TCGA-" + disease,
    };

    private static Dictionary<string, object?> Sample(string barcode, string suffix, string type) => new()
    {
        ["case_barcode"] = barcode,
        ["sample_barcode"] = barcode + suffix,
        ["sample_type"] = type,
    };

    public void Dispose() => Release.Dispose();
}
