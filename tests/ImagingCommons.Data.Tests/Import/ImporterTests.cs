using System.Text;
using ImagingCommons.Data.Import;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Import;

public sealed class ImporterTests
{
    private const string Version = "24.0";
    private const string Date = "2026-05-15";

    // Rows deliberately out of key order; a quoted empty cell, an unknown column, a value spanning lines,
    // SeriesNumber "3" and "03", both date forms, a backslash-separated ImageType.
    private const string DicomPivotCsv =
        "collection_id,PatientID,StudyInstanceUID,SeriesInstanceUID,SOPInstanceUID,Modality,SeriesNumber,SliceThickness,StudyDate,instance_size,ImageType,PatientAge,Vendor_Notes,SeriesDescription\n"
        + "tcga_luad,TCGA-05-4244,1.2.1,1.2.1.1,1.2.1.1.2,CT,03,1.25,2004-05-06,524288,ORIGINAL\\PRIMARY\\AXIAL,063Y,x,\"Chest, with contrast\"\n"
        + "tcga_luad,TCGA-05-4244,1.2.1,1.2.1.1,1.2.1.1.1,CT,3,1.25,20040506,524288,ORIGINAL\\PRIMARY\\AXIAL,063Y,,\"Chest, with contrast\"\n"
        + "tcga_luad,TCGA-05-4249,1.2.2,1.2.2.1,1.2.2.1.1,SEG,,,,1000,DERIVED,,,\n"
        + "nlst,100002,1.3.1,1.3.1.1,1.3.1.1.1,CT,2,2.5e0,1999-01-02,,\"\",,,\n"
        + "lidc_idri,LIDC-IDRI-0001,1.4.1,1.4.1.1,1.4.1.1.1,MR,1,.5,,0,ORIGINAL,,,\"multi\nline\"\n";

    private const string ClinicalCsv =
        "case_barcode,project_short_name,age_at_diagnosis,bmi,gender,race,days_to_death\n"
        + "TCGA-05-4249,TCGA-LUAD,67,,FEMALE,,1234\n"
        + "TCGA-05-4244,TCGA-LUAD,70,24.5,MALE,WHITE,\n";

    private const string BiospecimenCsv =
        "case_barcode,sample_barcode,sample_type,num_slides,avg_percent_tumor_cells\n"
        + "TCGA-05-4244,TCGA-05-4244-11A,11,1,0\n"
        + "TCGA-05-4249,TCGA-05-4249-01A,01,,\n"
        + "TCGA-05-4244,TCGA-05-4244-01A,01,2,80.5\n";

    private const string CollectionsCsv =
        "collection_id,collection_name,subjects,updated,image_types\n"
        + "tcga_luad,TCGA-LUAD,2,2023-01-10,\"CT, SEG\"\n"
        + "nlst,NLST,1,,CT\n"
        + "lidc_idri,LIDC-IDRI,1,2020-03-01,MR\n";

    private const string AnalysisResultsCsv =
        "analysis_result_id,analysis_result_title,subjects,updated,collections\n"
        + "DICOM-LIDC-IDRI-Nodules,Standardized representation of the LIDC-IDRI annotations,875,2020-06-15,lidc_idri\n";

    private static void WriteFullCsvRelease(ImportSandbox sandbox)
    {
        sandbox.Write("dicom_pivot.csv", DicomPivotCsv);
        sandbox.Write("tcga_clinical_rel9.csv", ClinicalCsv);
        sandbox.Write("tcga_biospecimen_rel9.csv", BiospecimenCsv);
        sandbox.Write("original_collections_metadata.csv", CollectionsCsv);
        sandbox.Write("analysis_results_metadata.csv", AnalysisResultsCsv);
    }

    private static ImportReport Import(ImportSandbox sandbox, string version = Version, List<string>? warnings = null) =>
        ReleaseImporter.Import(sandbox.Data, version, Date, sandbox.From, warnings is null ? null : warnings.Add, TestContext.Current.CancellationToken);

    [Fact]
    public void A_hand_written_csv_release_imports_with_exactly_the_schema_types_and_nulls()
    {
        using var sandbox = new ImportSandbox();
        WriteFullCsvRelease(sandbox);
        var warnings = new List<string>();

        var report = Import(sandbox, warnings: warnings);

        Assert.Equal(Version, report.Version);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["dicom_pivot"] = 5,
                ["tcga_clinical_rel9"] = 2,
                ["tcga_biospecimen_rel9"] = 3,
                ["original_collections_metadata"] = 3,
                ["analysis_results_metadata"] = 1,
            },
            report.RowCounts);
        Assert.Equal(warnings, report.Warnings);
        Assert.Equal(["24.0"], sandbox.Data.HeldReleases());
        Assert.Equal([new VersionEntry(Version, Date)], sandbox.Data.ReadVersions());
        Assert.Equal(report.RowCounts, sandbox.Data.ReadReleaseInfo(Version).RowCounts);

        var pivot = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName));
        // Ordered by collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID.
        Assert.Equal(["1.4.1.1.1", "1.3.1.1.1", "1.2.1.1.1", "1.2.1.1.2", "1.2.2.1.1"], pivot.Select(r => r["SOPInstanceUID"]));

        var lidc = pivot[0];
        Assert.Equal("lidc_idri", lidc["collection_id"]);
        Assert.Equal("MR", lidc["Modality"]);
        Assert.Equal("1", lidc["SeriesNumber"]);
        Assert.Equal(0.5, lidc["SliceThickness"]);
        Assert.Null(lidc["StudyDate"]);
        Assert.Equal(0L, lidc["instance_size"]);
        Assert.Equal(["ORIGINAL"], Strings(lidc["ImageType"]));
        Assert.Equal("multi\nline", lidc["SeriesDescription"]);
        Assert.Null(lidc["PatientAge"]);

        var nlst = pivot[1];
        Assert.Equal("100002", nlst["PatientID"]);
        Assert.Equal("2", nlst["SeriesNumber"]);
        Assert.Equal(2.5, nlst["SliceThickness"]);
        Assert.Equal(new DateOnly(1999, 1, 2), nlst["StudyDate"]);
        Assert.Null(nlst["instance_size"]);
        Assert.Null(nlst["ImageType"]);
        Assert.Null(nlst["SeriesDescription"]);

        var first = pivot[2];
        Assert.Equal("3", first["SeriesNumber"]);
        Assert.Equal(1.25, first["SliceThickness"]);
        Assert.Equal(new DateOnly(2004, 5, 6), first["StudyDate"]);
        Assert.Equal(524288L, first["instance_size"]);
        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], Strings(first["ImageType"]));
        Assert.Equal("063Y", first["PatientAge"]);
        Assert.Equal("Chest, with contrast", first["SeriesDescription"]);

        var second = pivot[3];
        Assert.Equal("03", second["SeriesNumber"]);
        Assert.Equal(new DateOnly(2004, 5, 6), second["StudyDate"]);

        var seg = pivot[4];
        Assert.Equal("SEG", seg["Modality"]);
        Assert.Null(seg["SeriesNumber"]);
        Assert.Null(seg["SliceThickness"]);
        Assert.Null(seg["StudyDate"]);
        Assert.Equal(["DERIVED"], Strings(seg["ImageType"]));

        // Columns the file does not have are NULL everywhere; the unknown column is not in the release.
        Assert.All(pivot, r => Assert.Null(r["BodyPartExamined"]));
        Assert.All(pivot, r => Assert.Null(r["Allergies"]));
        Assert.All(pivot, r => Assert.Null(r["PatientWeight"]));
        Assert.DoesNotContain("Vendor_Notes", pivot[0].Keys);
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("Vendor_Notes", warning, StringComparison.Ordinal);
        Assert.Contains("dicom_pivot.csv", warning, StringComparison.Ordinal);

        var clinical = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.ClinicalName));
        Assert.Equal(["TCGA-05-4244", "TCGA-05-4249"], clinical.Select(r => r["case_barcode"]));
        Assert.Equal(70L, clinical[0]["age_at_diagnosis"]);
        Assert.Equal(24.5, clinical[0]["bmi"]);
        Assert.Equal("MALE", clinical[0]["gender"]);
        Assert.Equal("WHITE", clinical[0]["race"]);
        Assert.Null(clinical[0]["days_to_death"]);
        Assert.Equal(67L, clinical[1]["age_at_diagnosis"]);
        Assert.Null(clinical[1]["bmi"]);
        Assert.Null(clinical[1]["race"]);
        Assert.Equal(1234L, clinical[1]["days_to_death"]);
        Assert.Null(clinical[1]["vital_status"]);

        var biospecimen = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.BiospecimenName));
        // Ordered by case_barcode, then by the order in the file.
        Assert.Equal(["TCGA-05-4244-11A", "TCGA-05-4244-01A", "TCGA-05-4249-01A"], biospecimen.Select(r => r["sample_barcode"]));
        Assert.Equal(["11", "01", "01"], biospecimen.Select(r => r["sample_type"]));
        Assert.Equal([1L, 2L, null], biospecimen.Select(r => r["num_slides"]));
        Assert.Equal([0.0, 80.5, null], biospecimen.Select(r => r["avg_percent_tumor_cells"]));

        var collections = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.CollectionsName));
        Assert.Equal(["lidc_idri", "nlst", "tcga_luad"], collections.Select(r => r["collection_id"]));
        Assert.Equal(["LIDC-IDRI", "NLST", "TCGA-LUAD"], collections.Select(r => r["collection_name"]));
        Assert.Equal([1L, 1L, 2L], collections.Select(r => r["subjects"]));
        Assert.Equal([new DateOnly(2020, 3, 1), null, new DateOnly(2023, 1, 10)], collections.Select(r => r["updated"]));
        Assert.Equal(["MR", "CT", "CT, SEG"], collections.Select(r => r["image_types"]));

        var analysis = Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.AnalysisResultsName)));
        Assert.Equal("DICOM-LIDC-IDRI-Nodules", analysis["analysis_result_id"]);
        Assert.Equal(875L, analysis["subjects"]);
        Assert.Equal(new DateOnly(2020, 6, 15), analysis["updated"]);
        Assert.Equal("lidc_idri", analysis["collections"]);
        Assert.Null(analysis["citation"]);

        Assert.False(Directory.Exists(sandbox.Data.StagingPath));
    }

    [Fact]
    public void Every_release_file_has_every_schema_column_in_schema_order_with_the_schema_type()
    {
        using var sandbox = new ImportSandbox();
        WriteFullCsvRelease(sandbox);
        Import(sandbox);

        foreach (var table in IdcSchema.All)
        {
            Assert.Equal(
                table.Columns.Select(c => (c.Name, c.DuckDbType)),
                ImportSandbox.Describe(sandbox.ReleaseTable(Version, table.Name)));
        }
    }

    [Fact]
    public void Collections_metadata_missing_from_the_folder_is_derived_from_dicom_pivot()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", DicomPivotCsv + "tcga_luad,TCGA-05-4250,1.2.3,1.2.3.1,1.2.3.1.1,,,,,,,,,\n");

        var report = Import(sandbox);

        Assert.Equal(3, report.RowCounts[IdcSchema.CollectionsName]);
        var collections = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.CollectionsName));
        Assert.Equal(["lidc_idri", "nlst", "tcga_luad"], collections.Select(r => r["collection_id"]));
        Assert.Equal(["lidc_idri", "nlst", "tcga_luad"], collections.Select(r => r["collection_name"]));
        Assert.Equal([1L, 1L, 3L], collections.Select(r => r["subjects"]));
        Assert.Equal(["MR", "CT", "CT, SEG"], collections.Select(r => r["image_types"]));
        foreach (var column in IdcSchema.Collections.Columns.Select(c => c.Name)
            .Except(["collection_id", "collection_name", "subjects", "image_types"]))
        {
            Assert.All(collections, r => Assert.Null(r[column]));
        }
    }

    [Fact]
    public void Missing_optional_tables_are_written_empty_with_all_their_columns()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", DicomPivotCsv);

        var report = Import(sandbox);

        foreach (var table in new[] { IdcSchema.Clinical, IdcSchema.Biospecimen, IdcSchema.AnalysisResults })
        {
            Assert.Equal(0, report.RowCounts[table.Name]);
            var path = sandbox.ReleaseTable(Version, table.Name);
            Assert.Empty(ImportSandbox.ReadTable(path));
            Assert.Equal(table.Columns.Select(c => (c.Name, c.DuckDbType)), ImportSandbox.Describe(path));
        }

        Assert.Contains("Vendor_Notes", Assert.Single(report.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Parquet_input_is_cast_to_the_schema_types()
    {
        using var sandbox = new ImportSandbox();
        sandbox.WriteParquet(
            "dicom_pivot.parquet",
            "SELECT * FROM (VALUES "
            + "('c1', 'p2', 's', 'se', 'i2', 3, 7.0::DOUBLE, '2.5', DATE '2020-01-02', ['A', 'B'], 'X\\Y', 'extra'), "
            + "('c1', 'p1', 's', 'se', 'i1', NULL, NULL, NULL, NULL, NULL, NULL, 'extra'), "
            + "('c0', 'p9', 's', 'se', 'i9', 12, 42::DOUBLE, '', DATE '2021-12-31', [], '', NULL)"
            + ") t(collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, "
            + "SeriesNumber, instance_size, SliceThickness, StudyDate, ImageType, Allergies, Unknown_Column)");
        sandbox.WriteParquet(
            "tcga_clinical_rel9.parquet",
            "SELECT 'p1' AS case_barcode, 55::INTEGER AS age_at_diagnosis, 22.5::DECIMAL(5, 2) AS bmi, '1980' AS year_of_initial_pathologic_diagnosis");
        var warnings = new List<string>();

        var report = Import(sandbox, warnings: warnings);

        Assert.Equal(3, report.RowCounts[IdcSchema.DicomPivotName]);
        Assert.Contains(warnings, w => w.Contains("Unknown_Column", StringComparison.Ordinal));
        var pivot = ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName));
        Assert.Equal(["i9", "i1", "i2"], pivot.Select(r => r["SOPInstanceUID"]));
        Assert.Equal(["12", null, "3"], pivot.Select(r => r["SeriesNumber"]));
        Assert.Equal([42L, null, 7L], pivot.Select(r => r["instance_size"]));
        Assert.Equal([null, null, 2.5], pivot.Select(r => r["SliceThickness"]));
        Assert.Equal([new DateOnly(2021, 12, 31), null, new DateOnly(2020, 1, 2)], pivot.Select(r => r["StudyDate"]));
        Assert.Empty(Strings(pivot[0]["ImageType"]));
        Assert.Null(pivot[1]["ImageType"]);
        Assert.Equal(["A", "B"], Strings(pivot[2]["ImageType"]));
        Assert.Null(pivot[0]["Allergies"]);
        Assert.Equal(["X", "Y"], Strings(pivot[2]["Allergies"]));
        Assert.Equal(
            IdcSchema.DicomPivot.Columns.Select(c => (c.Name, c.DuckDbType)),
            ImportSandbox.Describe(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName)));

        var clinical = Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.ClinicalName)));
        Assert.Equal(55L, clinical["age_at_diagnosis"]);
        Assert.Equal(22.5, clinical["bmi"]);
        Assert.Equal(1980L, clinical["year_of_initial_pathologic_diagnosis"]);
    }

    [Theory]
    [InlineData("3.5::DOUBLE", "'3.5' (Parquet column type DOUBLE) is not an integer")]
    [InlineData("'abc'", "'abc' (Parquet column type VARCHAR) is not an integer")]
    [InlineData("true", "'true' (Parquet column type BOOLEAN) is not an integer")]
    public void Parquet_values_that_do_not_fit_the_column_type_are_rejected(string value, string message)
    {
        using var sandbox = new ImportSandbox();
        sandbox.WriteParquet(
            "dicom_pivot.parquet",
            $"SELECT 'c' AS collection_id, 'p' AS PatientID, 's' AS StudyInstanceUID, 'se' AS SeriesInstanceUID, "
            + $"'i' || i AS SOPInstanceUID, CASE WHEN i = 2 THEN {value} END AS instance_size FROM range(1, 4) r(i)");
        var before = sandbox.Snapshot();

        var error = Assert.Throws<ImportException>(() => Import(sandbox));

        Assert.Equal(sandbox.InputPath("dicom_pivot.parquet"), error.File);
        Assert.Equal(2, error.Row);
        Assert.Null(error.Line);
        Assert.Equal("instance_size", error.Column);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("row 2, column instance_size", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Snapshot());
    }

    [Theory]
    [InlineData("instance_size", "42", 42L)]
    [InlineData("instance_size", "-7", -7L)]
    [InlineData("instance_size", "+3", 3L)]
    [InlineData("instance_size", "007", 7L)]
    [InlineData("instance_size", " 42 ", 42L)]
    [InlineData("instance_size", "   ", null)]
    [InlineData("instance_size", "\"\"", null)]
    [InlineData("SliceThickness", "1.5", 1.5)]
    [InlineData("SliceThickness", "-0.25", -0.25)]
    [InlineData("SliceThickness", ".5", 0.5)]
    [InlineData("SliceThickness", "2.", 2.0)]
    [InlineData("SliceThickness", "1e-3", 0.001)]
    [InlineData("SliceThickness", "4E2", 400.0)]
    [InlineData("SliceThickness", "7", 7.0)]
    [InlineData("SeriesNumber", "03", "03")]
    [InlineData("SeriesNumber", " 3 ", " 3 ")]
    [InlineData("SeriesNumber", "\"\"", null)]
    [InlineData("SeriesDescription", "\"a \"\"quoted\"\", b\"", "a \"quoted\", b")]
    public void Csv_text_is_parsed_by_the_column_type_of_the_schema(string column, string cell, object? expected)
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", $"{ImportSandbox.Keys},{column}\nc,p,s,se,i,{cell}\n");

        Import(sandbox);

        Assert.Equal(expected, Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName)))[column]);
    }

    [Theory]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("20240229", 2024, 2, 29)]
    [InlineData(" 0001-01-01 ", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    public void Csv_dates_are_read_in_iso_and_dicom_form(string cell, int year, int month, int day)
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", $"{ImportSandbox.Keys},StudyDate\nc,p,s,se,i,{cell}\n");

        Import(sandbox);

        Assert.Equal(
            new DateOnly(year, month, day),
            Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName)))["StudyDate"]);
    }

    [Theory]
    [InlineData("instance_size", "1e3")]
    [InlineData("instance_size", "1_000")]
    [InlineData("instance_size", "0x10")]
    [InlineData("instance_size", "99999999999999999999")]
    [InlineData("SliceThickness", "inf")]
    [InlineData("SliceThickness", "NaN")]
    [InlineData("SliceThickness", "1e999")]
    [InlineData("SliceThickness", "\"1,5\"")]
    [InlineData("StudyDate", "0000-01-01")]
    [InlineData("StudyDate", "2024-1-5")]
    [InlineData("StudyDate", "20240230")]
    [InlineData("StudyDate", "2024022")]
    [InlineData("StudyDate", "2024-02-03T10:00:00")]
    public void Csv_text_that_does_not_fit_the_column_type_is_rejected(string column, string cell)
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", $"{ImportSandbox.Keys},{column}\nc,p,s,se,i,{cell}\n");

        var error = Assert.Throws<ImportException>(() => Import(sandbox));

        Assert.Equal((1L, 2L, column), (error.Row!.Value, error.Line!.Value, error.Column!));
    }

    [Fact]
    public void String_lists_split_at_every_backslash_and_keep_empty_elements()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write(
            "dicom_pivot.csv",
            ImportSandbox.Keys + ",ImageType,Allergies,MedicalAlerts\n"
            + "c,p,s,se,i,A\\\\B,\\X,\"Y, Z\"\n");

        Import(sandbox);

        var row = Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName)));
        Assert.Equal(["A", "", "B"], Strings(row["ImageType"]));
        Assert.Equal(["", "X"], Strings(row["Allergies"]));
        Assert.Equal(["Y, Z"], Strings(row["MedicalAlerts"]));
    }

    /// <summary>A bad input folder and the error it must give.</summary>
    private sealed record BadInput(
        Dictionary<string, object> Files,
        string? File,
        long? Row,
        long? Line,
        string? Column,
        string Message);

    private static Dictionary<string, object> Pivot(string body) => new() { ["dicom_pivot.csv"] = body };

    private static readonly string ValidPivot = ImportSandbox.Keys + "\nc,p,s,se,i1\nc,p,s,se,i2\n";

    private static readonly Dictionary<string, BadInput> BadInputs = new()
    {
        ["an identifier column missing from the file"] = new(
            Pivot("collection_id,PatientID,StudyInstanceUID,SeriesInstanceUID,Modality\nc,p,s,se,CT\n"),
            "dicom_pivot.csv", null, null, "SOPInstanceUID", "the identifier column SOPInstanceUID is missing"),
        ["an identifier column spelled in another case"] = new(
            Pivot("collection_id,PatientID,StudyInstanceUID,SeriesInstanceUID,sopinstanceuid\nc,p,s,se,i\n"),
            "dicom_pivot.csv", null, null, "SOPInstanceUID", "names are case-sensitive"),
        ["an empty identifier"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,i1\nc,,s,se,i2\n"),
            "dicom_pivot.csv", 2, 3, "PatientID", "the identifier PatientID is empty"),
        ["an identifier of spaces only"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,\"  \"\n"),
            "dicom_pivot.csv", 1, 2, "SOPInstanceUID", "is empty"),
        ["an integer with decimals"] = new(
            Pivot(ImportSandbox.Keys + ",instance_size\nc,p,s,se,i1,1\nc,p,s,se,i2,3.5\n"),
            "dicom_pivot.csv", 2, 3, "instance_size", "'3.5' is not an integer"),
        ["an integer that is text"] = new(
            Pivot(ImportSandbox.Keys + ",SeriesNumber,SegmentNumber\nc,p,s,se,i1,abc,abc\n"),
            "dicom_pivot.csv", 1, 2, "SegmentNumber", "'abc' is not an integer"),
        ["a number that is text"] = new(
            Pivot(ImportSandbox.Keys + ",SliceThickness\nc,p,s,se,i1,1e-3\nc,p,s,se,i2,thin\n"),
            "dicom_pivot.csv", 2, 3, "SliceThickness", "'thin' is not a number"),
        ["a date that does not exist"] = new(
            Pivot(ImportSandbox.Keys + ",StudyDate\nc,p,s,se,i1,2024-02-29\nc,p,s,se,i2,2023-02-29\n"),
            "dicom_pivot.csv", 2, 3, "StudyDate", "'2023-02-29' is not a date"),
        ["a date in another format"] = new(
            Pivot(ImportSandbox.Keys + ",StudyDate\nc,p,s,se,i1,05/15/2024\n"),
            "dicom_pivot.csv", 1, 2, "StudyDate", "'05/15/2024' is not a date (yyyy-MM-dd"),
        ["a duplicate SOPInstanceUID"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,i1\nc,p,s,se,i2\nc,p2,s2,se2,i1\n"),
            "dicom_pivot.csv", 3, 4, "SOPInstanceUID", "SOPInstanceUID 'i1' is also in row 1 (line 2)"),
        ["a duplicate case_barcode in the clinical table"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["tcga_clinical_rel9.csv"] = "case_barcode,gender\nA,MALE\nB,FEMALE\nA,MALE\n" },
            "tcga_clinical_rel9.csv", 3, 4, "case_barcode", "case_barcode 'A' is also in row 1 (line 2)"),
        ["a duplicate collection_id in the collections metadata"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["original_collections_metadata.csv"] = "collection_id,subjects\nc,1\nc,2\n" },
            "original_collections_metadata.csv", 2, 3, "collection_id", "collection_id 'c' is also in row 1"),
        ["a duplicate analysis_result_id"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["analysis_results_metadata.csv"] = "analysis_result_id\nx\ny\nx\n" },
            "analysis_results_metadata.csv", 3, 4, "analysis_result_id", "analysis_result_id 'x' is also in row 1"),
        ["a row with too many fields"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,i1\nc,p,s,se,i2,extra\n"),
            "dicom_pivot.csv", 2, 3, null, "the row has 6 fields but the header has 5"),
        ["a row with too few fields"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,i1\nc,p,s,se,i2\nc,p,s\n"),
            "dicom_pivot.csv", 3, 4, null, "the row has 3 fields but the header has 5"),
        ["invalid UTF-8"] = new(
            new() { ["dicom_pivot.csv"] = Encoding.ASCII.GetBytes(ImportSandbox.Keys + "\nc,p,s,se,i1\n").Concat(new byte[] { (byte)'c', 0xFF, 0xFE, (byte)',', (byte)'p', (byte)',', (byte)'s', (byte)',', (byte)'s', (byte)',', (byte)'i', (byte)'\n' }).ToArray() },
            "dicom_pivot.csv", 2, 3, null, "not valid UTF-8"),
        ["an unclosed quote"] = new(
            Pivot(ImportSandbox.Keys + "\nc,p,s,se,i1\nc,p,s,se,\"i2\n"),
            "dicom_pivot.csv", 2, 3, null, "quoted value is not closed"),
        ["a bad value after a value spanning lines"] = new(
            Pivot(ImportSandbox.Keys + ",SeriesDescription,instance_size\nc,p,s,se,i1,\"one\ntwo\nthree\",1\nc,p,s,se,i2,x,big\n"),
            "dicom_pivot.csv", 2, 5, "instance_size", "'big' is not an integer"),
        ["a bad value after a blank line"] = new(
            Pivot(ImportSandbox.Keys + ",instance_size\nc,p,s,se,i1,1\n\nc,p,s,se,i2,big\n"),
            "dicom_pivot.csv", 2, 4, "instance_size", "'big' is not an integer"),
        ["a bad value in a later table"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["tcga_clinical_rel9.csv"] = "case_barcode,age_at_diagnosis\nA,seventy\n" },
            "tcga_clinical_rel9.csv", 1, 2, "age_at_diagnosis", "'seventy' is not an integer"),
        ["an optional table without its identifier"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["tcga_biospecimen_rel9.csv"] = "sample_barcode\nx\n" },
            "tcga_biospecimen_rel9.csv", null, null, "case_barcode", "the identifier column case_barcode is missing"),
        ["a column named twice"] = new(
            Pivot(ImportSandbox.Keys + ",Modality,Modality\nc,p,s,se,i,CT,MR\n"),
            "dicom_pivot.csv", null, null, "Modality", "appears more than once"),
        ["an empty CSV file"] = new(
            Pivot(""),
            "dicom_pivot.csv", null, 1, null, "the file is empty"),
        ["a file that is not Parquet"] = new(
            new() { ["dicom_pivot.parquet"] = ImportSandbox.Keys + "\nc,p,s,se,i\n" },
            "dicom_pivot.parquet", null, null, null, "not a readable Parquet file"),
        ["one table as both CSV and Parquet"] = new(
            new() { ["dicom_pivot.csv"] = ValidPivot, ["tcga_clinical_rel9.csv"] = "case_barcode\nA\n", ["tcga_clinical_rel9.parquet"] = "x" },
            "tcga_clinical_rel9.parquet", null, null, null, "both tcga_clinical_rel9.csv and tcga_clinical_rel9.parquet"),
        ["no dicom_pivot"] = new(
            new() { ["tcga_clinical_rel9.csv"] = "case_barcode\nA\n", ["DICOM_PIVOT.csv"] = ValidPivot },
            null, null, null, null, "dicom_pivot is required"),
    };

    public static TheoryData<string> BadInputNames => [.. BadInputs.Keys];

    [Theory]
    [MemberData(nameof(BadInputNames))]
    public void Bad_input_names_file_row_and_column_and_leaves_the_data_directory_as_it_was(string name)
    {
        var bad = BadInputs[name];
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);
        Import(sandbox, "23.0");
        File.Delete(sandbox.InputPath("dicom_pivot.csv"));
        foreach (var (file, content) in bad.Files)
        {
            if (content is byte[] bytes)
            {
                sandbox.WriteBytes(file, bytes);
            }
            else
            {
                sandbox.Write(file, (string)content);
            }
        }

        var before = sandbox.Snapshot();

        var error = Assert.Throws<ImportException>(() => Import(sandbox));

        Assert.Equal(bad.File is null ? sandbox.From : sandbox.InputPath(bad.File), error.File);
        Assert.Equal(bad.Row, error.Row);
        Assert.Equal(bad.Line, error.Line);
        Assert.Equal(bad.Column, error.Column);
        Assert.Contains(bad.Message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(error.File!, error.Message, StringComparison.Ordinal);
        if (bad.Row is not null)
        {
            Assert.Contains($"row {bad.Row} (line {bad.Line})", error.Message, StringComparison.Ordinal);
        }

        if (bad.Column is not null)
        {
            Assert.Contains($"column {bad.Column}", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, sandbox.Snapshot());
        Assert.Equal(["23.0"], sandbox.Data.HeldReleases());
    }

    [Fact]
    public void A_failed_import_into_a_new_data_directory_leaves_no_directory_behind()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",instance_size\nc,p,s,se,i,many\n");

        Assert.Throws<ImportException>(() => Import(sandbox));

        Assert.False(Directory.Exists(sandbox.Data.Path));
    }

    [Fact]
    public void A_release_that_already_exists_is_refused_and_left_untouched()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);
        Import(sandbox);
        var before = sandbox.Snapshot();

        var error = Assert.Throws<ImportException>(() => Import(sandbox));

        Assert.IsType<ReleaseExistsException>(error.InnerException);
        Assert.Contains("Release 24.0 already exists", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Snapshot());
    }

    [Theory]
    [InlineData("24", Date, "'24' is not a release version")]
    [InlineData("v24.0", Date, "'v24.0' is not a release version")]
    [InlineData(Version, "2026-5-15", "'2026-5-15' is not a date")]
    [InlineData(Version, "15/05/2026", "'15/05/2026' is not a date")]
    public void An_invalid_version_or_date_is_refused(string version, string date, string message)
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);

        var error = Assert.Throws<ImportException>(() => ReleaseImporter.Import(sandbox.Data, version, date, sandbox.From, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(sandbox.Data.Path));
    }

    [Fact]
    public void A_missing_import_folder_is_refused()
    {
        using var sandbox = new ImportSandbox();
        var missing = Path.Combine(sandbox.Root, "nowhere");

        var error = Assert.Throws<ImportException>(() => ReleaseImporter.Import(sandbox.Data, Version, Date, missing, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(missing, error.File);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_are_not_release_tables_are_ignored_with_a_warning()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);
        sandbox.Write("Tcga_Clinical_Rel9.csv", "case_barcode\nA\n");
        sandbox.Write("README.md", "notes");
        var warnings = new List<string>();

        var report = Import(sandbox, warnings: warnings);

        var warning = Assert.Single(report.Warnings);
        Assert.Contains("Tcga_Clinical_Rel9.csv", warning, StringComparison.Ordinal);
        Assert.Equal(report.Warnings, warnings);
        Assert.Equal(0, report.RowCounts[IdcSchema.ClinicalName]);
    }

    [Fact]
    public void Paths_with_quotes_and_glob_characters_are_read_and_written_as_they_are()
    {
        using var sandbox = new ImportSandbox("it's [1]");
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",Modality\nc,p,s,se,i,CT\n");
        // What an unescaped glob "[1]" would match instead.
        var decoy = Path.Combine(Path.GetDirectoryName(sandbox.Root)!, "it's 1", "in");
        Directory.CreateDirectory(decoy);
        File.WriteAllText(Path.Combine(decoy, "dicom_pivot.csv"), ImportSandbox.Keys + ",Modality\nx,p,s,se,i,MR\n");

        Import(sandbox);

        var row = Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.DicomPivotName)));
        Assert.Equal("CT", row["Modality"]);
        Assert.Equal("c", Assert.Single(ImportSandbox.ReadTable(sandbox.ReleaseTable(Version, IdcSchema.CollectionsName)))["collection_id"]);
    }

    [Fact]
    public void Row_and_line_numbers_are_exact_in_a_large_file()
    {
        using var sandbox = new ImportSandbox();
        var csv = new StringBuilder(ImportSandbox.Keys + ",instance_size\n");
        for (var i = 1; i <= 60_000; i++)
        {
            csv.Append("c,p,s,se,").Append(i).Append(',').Append(i == 45_678 ? "x" : "1").Append('\n');
        }

        sandbox.Write("dicom_pivot.csv", csv.ToString());
        var error = Assert.Throws<ImportException>(() => Import(sandbox));
        Assert.Equal((45_678L, 45_679L, "instance_size"), (error.Row!.Value, error.Line!.Value, error.Column!));

        csv.Replace("c,p,s,se,45678,x", "c,p,s,se,45678,1").Append("c,p,s,se,1234,1\n");
        sandbox.Write("dicom_pivot.csv", csv.ToString());
        error = Assert.Throws<ImportException>(() => Import(sandbox));
        Assert.Equal((60_001L, 60_002L, "SOPInstanceUID"), (error.Row!.Value, error.Line!.Value, error.Column!));
        Assert.Contains("is also in row 1234 (line 1235)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_input_gives_the_same_files()
    {
        using var sandbox = new ImportSandbox();
        WriteFullCsvRelease(sandbox);

        Import(sandbox, "24.0");
        Import(sandbox, "24.1");

        foreach (var table in IdcSchema.All)
        {
            Assert.Equal(
                File.ReadAllBytes(sandbox.ReleaseTable("24.0", table.Name)),
                File.ReadAllBytes(sandbox.ReleaseTable("24.1", table.Name)));
        }
    }

    [Fact]
    public void A_cancelled_import_publishes_nothing()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => ReleaseImporter.Import(sandbox.Data, Version, Date, sandbox.From, cancellationToken: cancel.Token));

        Assert.False(Directory.Exists(sandbox.Data.Path));
    }

    [Fact]
    public void An_import_cancelled_midway_leaves_the_data_directory_as_it_was()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ValidPivot);
        Import(sandbox, "23.0");
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",Unknown\nc,p,s,se,i,x\n");
        var before = sandbox.Snapshot();
        using var cancel = new CancellationTokenSource();

        // The warning about the unknown column comes while dicom_pivot is being read, with the staging folder in place.
        Assert.ThrowsAny<OperationCanceledException>(
            () => ReleaseImporter.Import(sandbox.Data, Version, Date, sandbox.From, _ => cancel.Cancel(), cancel.Token));

        Assert.Equal(before, sandbox.Snapshot());
    }

    private static List<string> Strings(object? list) => Assert.IsType<List<string>>(list);
}
