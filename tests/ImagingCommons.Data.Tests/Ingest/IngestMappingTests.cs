using System.Globalization;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Dicom;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Data.Tests.Ingest;

/// <summary>One ingest of the sample folder, shared by the mapping tests.</summary>
public sealed class IngestedSamples : IDisposable
{
    public IngestedSamples()
    {
        if (!Dcmtk.Installed)
        {
            return;
        }

        Folder = IngestFolder.Create();
        Data = new DataDirectory(TempFolder.Create("ic-ingest-data"));
        Observer = new RecordingObserver();
        Report = DicomIngest.Ingest(
            Data,
            new IngestOptions("1.0", "2026-03-01", [Folder], "my_archive") { BaseUrls = ["s3://archive-bucket/idc/v1"], License = "CC BY 4.0", Doi = "10.5281/zenodo.1" },
            Observer);
        Rows = IngestFolder.ReadParquet(Data.TablePath("1.0", IdcSchema.DicomPivotName));
        Sources = IngestFolder.ReadParquet(Path.Combine(Data.ReleasePath("1.0"), DicomIngest.SourcesFile));
    }

    public string Folder { get; } = "";

    public DataDirectory Data { get; } = new(Path.GetTempPath());

    public RecordingObserver Observer { get; } = new();

    public IngestReport? Report { get; }

    public List<Dictionary<string, object?>> Rows { get; } = [];

    public List<Dictionary<string, object?>> Sources { get; } = [];

    /// <summary>The rows of the instance read from a file (through sources.parquet's source_path).</summary>
    public List<Dictionary<string, object?>> RowsOf(string path)
    {
        var instance = Sources.Single(s => (string?)s["source_path"] == path)["crdc_instance_uuid"];
        return Rows.Where(r => Equals(r["crdc_instance_uuid"], instance)).ToList();
    }

    public void Dispose()
    {
        if (Folder.Length > 0)
        {
            TempFolder.Delete(Folder);
            TempFolder.Delete(Data.Path);
        }
    }
}

public sealed class RecordingObserver : IIngestObserver
{
    public List<(string Path, string Reason)> Skips { get; } = [];

    public List<(string Path, string First)> Duplicates { get; } = [];

    public List<IngestProgress> Progresses { get; } = [];

    public void Skipped(string path, string reason) => Skips.Add((path, reason));

    public void Duplicate(string path, string firstPath, string sopInstanceUid) => Duplicates.Add((path, firstPath));

    public void Progress(IngestProgress progress) => Progresses.Add(progress);
}

/// <summary>
/// What the ingest wrote for each file equals what dcmdump prints for it: every mapped column is worked out here from
/// dcmdump's output (and md5sum's, and the file's size) by the DICOM rules, never taken from the mapper.
/// </summary>
public sealed class IngestMappingTests(IngestedSamples samples) : IClassFixture<IngestedSamples>
{
    private static readonly string[] StringColumns =
    [
        "PatientID:0010,0020", "StudyInstanceUID:0020,000d", "SeriesInstanceUID:0020,000e", "SOPInstanceUID:0008,0018",
        "SOPClassUID:0008,0016", "Modality:0008,0060", "StudyDescription:0008,1030", "SeriesDescription:0008,103e",
        "SeriesNumber:0020,0011", "BodyPartExamined:0018,0015", "Manufacturer:0008,0070", "ManufacturerModelName:0008,1090",
        "FrameOfReferenceUID:0020,0052", "PatientAge:0010,1010", "PatientSex:0010,0040", "EthnicGroup:0010,2160",
        "Occupation:0010,2180", "SmokingStatus:0010,21a0", "AdditionalPatientHistory:0010,21b0",
    ];

    private static readonly string[] FloatColumns = ["SliceThickness:0018,0050", "PatientSize:0010,1020", "PatientWeight:0010,1030"];

    public static TheoryData<string> Files() =>
        [.. DicomSamples.Samples.Concat(IngestFolder.MadeFromDumps.Select(n => Path.Combine("made", "no-extension", n)))];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_mapped_value_is_what_dcmdump_prints_for_the_file(string name)
    {
        Dcmtk.Require();
        var path = Path.Combine(samples.Folder, name);
        var dump = DumpTree.Of(path, utf8: true).Dataset;
        if (Top(dump, "0010,0020") is null)
        {
            // IDC's model needs a patient: such a file is reported and skipped, not ingested.
            Assert.Contains(samples.Observer.Skips, s => s.Path == path && s.Reason.Contains("no PatientID", StringComparison.Ordinal));
            return;
        }

        var duplicateOf = samples.Observer.Duplicates.Where(d => d.Path == path).Select(d => d.First).FirstOrDefault();
        if (duplicateOf is not null)
        {
            Assert.Equal(Top(dump, "0008,0018"), Top(DumpTree.Of(duplicateOf, utf8: true).Dataset, "0008,0018"));
            return;
        }

        var rows = samples.RowsOf(path);
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            foreach (var (column, tag) in StringColumns.Select(Split))
            {
                Assert.True(Equals(Top(dump, tag), row[column]), $"{name} {column}: {row[column]}, dcmdump {Top(dump, tag)}");
            }

            foreach (var (column, tag) in FloatColumns.Select(Split))
            {
                var expected = Top(dump, tag) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : (double?)null;
                Assert.Equal(expected, (double?)row[column]);
            }

            Assert.Equal(DicomDate(Top(dump, "0008,0020")), row["StudyDate"] is DateOnly d ? d : row["StudyDate"] is DateTime t ? DateOnly.FromDateTime(t) : null);
            Assert.Equal(Top(dump, "0008,0008")?.Split('\\'), (row["ImageType"] as List<string>)?.ToArray());
            Assert.Equal(Top(dump, "0028,0002") is { } spp ? long.Parse(spp, CultureInfo.InvariantCulture) : null, (long?)row["SamplesPerPixel"]);
            Assert.Equal(new FileInfo(path).Length, (long?)row["instance_size"]);
            Assert.Equal(IngestFolder.Md5Sum(path), row["instance_hash"]);
            Assert.Equal("my_archive", row["collection_id"]);
            Assert.Equal("CC BY 4.0", row["license_short_name"]);
            Assert.Equal("10.5281/zenodo.1", row["source_DOI"]);
            Assert.Equal("archive-bucket", row["aws_bucket"]);
            Assert.Equal($"s3://archive-bucket/idc/v1/{row["crdc_series_uuid"]}/{row["crdc_instance_uuid"]}.dcm", row["aws_url"]);
            foreach (var uuid in new[] { "crdc_study_uuid", "crdc_series_uuid", "crdc_instance_uuid" })
            {
                Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", (string)row[uuid]!);
            }

            // Slide microscopy.
            Assert.Equal(Long(Top(dump, "0048,0006")), (long?)row["max_TotalPixelMatrixColumns"]);
            Assert.Equal(Long(Top(dump, "0048,0007")), (long?)row["max_TotalPixelMatrixRows"]);
            Assert.Equal(Long(At(dump, "0048,0105", "0048,0112")), (long?)row["ObjectiveLensPower"]);
            Assert.Equal(At(dump, "0048,0105", "0022,0016", "0008,0100"), row["illuminationType"]);
            Assert.Equal(At(dump, "0040,0560", "0008,2228", "0008,0100"), row["primaryAnatomicStructure"]);
            // min_PixelSpacing is IDC's slide microscopy attribute (sm_index): only SM rows have it.
            var spacing = Top(dump, "0008,0060") == "SM" ? At(dump, "5200,9229", "0028,9110", "0028,0030") : null;
            Assert.Equal(
                spacing is null ? null : spacing.Split('\\').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Min(),
                (double?)row["min_PixelSpacing"]);
        }

        var segments = dump.FirstOrDefault(e => e.Tag == new DicomTag(0x0062, 0x0002))?.Items;
        if (segments is not null && Top(dump, "0008,0016") == "1.2.840.10008.5.1.4.1.1.66.4")
        {
            // IDC's pivot has one row per segment.
            Assert.Equal(segments.Count, rows.Count);
            foreach (var segment in segments)
            {
                var number = long.Parse(Top(segment, "0062,0004")!, CultureInfo.InvariantCulture);
                var row = Assert.Single(rows, r => (long?)r["SegmentNumber"] == number);
                Assert.Equal(Top(segment, "0062,0008"), row["SegmentAlgorithmType"]);
                Assert.Equal(Top(segment, "0062,0009"), row["SegmentAlgorithmName"]);
                Assert.Equal(At(segment, "0062,0003", "0008,0100"), row["SegmentedPropertyCategoryCodeSequence"]);
                Assert.Equal(At(segment, "0062,000f", "0008,0100"), row["SegmentedPropertyTypeCodeSequence"]);
                Assert.Equal(At(segment, "0008,2218", "0008,0100"), row["AnatomicRegionSequence"]);
            }
        }
        else if (Top(dump, "0008,0060") != "SR")
        {
            Assert.Single(rows);
        }
    }

    [Fact]
    public void A_tid_1500_report_has_a_row_per_measured_segment_with_its_measurements()
    {
        Dcmtk.Require();
        var path = Path.Combine(samples.Folder, "made", "no-extension", "sr1500");

        var rows = samples.RowsOf(path).OrderBy(r => (long?)r["SegmentNumber"]).ToList();

        // Worked out by hand from TestData/Dumps/sr1500.dump: group 1 on segment 1, group 2 on segment 2.
        Assert.Equal(2, rows.Count);
        Assert.Equal(1L, rows[0]["SegmentNumber"]);
        Assert.Equal(3952.125, rows[0]["Volume"]);
        Assert.Equal(19.63, rows[0]["Diameter"]);
        Assert.Equal(1512.5, rows[0]["Surface_area_of_mesh"]);
        Assert.Equal(0.8125, rows[0]["Sphericity_quant"]);
        Assert.Equal("Highly Suspicious", rows[0]["Malignancy"]);
        Assert.Equal("Sharp", rows[0]["Margin"]);
        Assert.Null(rows[0]["Calcification"]);
        Assert.Equal(2L, rows[1]["SegmentNumber"]);
        Assert.Equal(812.5, rows[1]["Volume"]);
        Assert.Equal(42.25, rows[1]["Total_Lesion_Glycolysis"]);
        Assert.Equal("Absent", rows[1]["Calcification"]);
        Assert.Null(rows[1]["Diameter"]);
        // ...and dcmdump reads those numbers from the file as well.
        var printed = string.Join("\n", Flatten(DumpTree.Of(path).Dataset).Where(e => e.Tag == new DicomTag(0x0040, 0xA30A)).Select(e => e.Value));
        foreach (var value in new[] { "3952.125", "19.63", "1512.5", "0.8125", "812.5", "42.25" })
        {
            Assert.Contains(value, printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Files_that_are_not_instances_are_skipped_with_a_reason_and_the_duplicate_keeps_the_first_file()
    {
        Dcmtk.Require();

        Assert.Contains(samples.Observer.Skips, s => s.Path.EndsWith("README.md", StringComparison.Ordinal) && s.Reason.StartsWith("not a DICOM file", StringComparison.Ordinal));
        Assert.Contains(samples.Observer.Skips, s => s.Path.EndsWith("DEBIAN_COPYRIGHT_python3-pydicom.txt", StringComparison.Ordinal));
        // MR_small_jp2klossless.dcm is the same instance as MR_small.dcm (same SOPInstanceUID), recompressed; MR_small comes first.
        var duplicate = Assert.Single(samples.Observer.Duplicates);
        Assert.EndsWith("MR_small_jp2klossless.dcm", duplicate.Path, StringComparison.Ordinal);
        Assert.EndsWith("MR_small.dcm", duplicate.First, StringComparison.Ordinal);
        Assert.Equal(samples.Observer.Skips.Count, samples.Report!.Skipped);
        Assert.Equal(1, samples.Report.Duplicates);
        var instances = samples.Rows.Select(r => r["SOPInstanceUID"]).Distinct().Count();
        Assert.Equal(instances, samples.Report.Instances);
        Assert.Equal(instances, samples.Report.FilesIngested);
        Assert.Equal(samples.Rows.Select(r => r["SeriesInstanceUID"]).Distinct().Count(), samples.Report.Series);
        Assert.Equal(samples.Rows.Select(r => r["PatientID"]).Distinct().Count(), samples.Report.Patients);
    }

    [Fact]
    public void The_collection_gets_a_row_with_its_subjects_modalities_and_the_given_licence_and_doi()
    {
        Dcmtk.Require();

        var collection = Assert.Single(IngestFolder.ReadParquet(samples.Data.TablePath("1.0", IdcSchema.CollectionsName)));

        Assert.Equal("my_archive", collection["collection_id"]);
        Assert.Equal((long)samples.Rows.Select(r => r["PatientID"]).Distinct().Count(), collection["subjects"]);
        Assert.Equal(string.Join(", ", samples.Rows.Select(r => (string)r["Modality"]!).Distinct().Order(StringComparer.Ordinal)), collection["image_types"]);
        Assert.Equal("CC BY 4.0", collection["license_short_name"]);
        Assert.Equal("10.5281/zenodo.1", collection["source_doi"]);
        Assert.Equal(new DateOnly(2026, 3, 1), collection["updated"] is DateTime t ? DateOnly.FromDateTime(t) : collection["updated"]);
    }

    private static (string Column, string Tag) Split(string spec) => (spec[..spec.IndexOf(':', StringComparison.Ordinal)], spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..]);

    /// <summary>A top-level value as dcmdump prints it, padding removed; null when absent or empty.</summary>
    private static string? Top(List<DumpElement> elements, string tag)
    {
        var element = elements.FirstOrDefault(e => e.Tag == DicomTag.Parse(tag));
        if (element is null || element.NoValue || element.Items is not null)
        {
            return null;
        }

        var value = string.Join('\\', element.Value.Split('\\').Select(v => v.Trim(' ', '\0')));
        return value.Length == 0 ? null : value;
    }

    /// <summary>The value at a path of sequences, first item each time.</summary>
    private static string? At(List<DumpElement> elements, params string[] tags)
    {
        var current = elements;
        foreach (var tag in tags[..^1])
        {
            var items = current.FirstOrDefault(e => e.Tag == DicomTag.Parse(tag))?.Items;
            if (items is null || items.Count == 0)
            {
                return null;
            }

            current = items[0];
        }

        return Top(current, tags[^1]);
    }

    private static long? Long(string? text) => text is null ? null : long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static DateOnly? DicomDate(string? text) =>
        text is null ? null : DateOnly.ParseExact(text.Replace(".", "", StringComparison.Ordinal), "yyyyMMdd", CultureInfo.InvariantCulture);

    private static IEnumerable<DumpElement> Flatten(List<DumpElement> elements) =>
        elements.SelectMany(e => new[] { e }.Concat(e.Items?.SelectMany(Flatten) ?? []));
}
