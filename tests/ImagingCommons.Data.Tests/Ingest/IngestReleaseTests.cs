using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Data.Tests.Ingest;

/// <summary>How an ingest writes releases: deterministic, revisions with --extend, nothing written on failure.</summary>
public sealed class IngestReleaseTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public void The_same_folder_ingested_twice_gives_byte_identical_tables()
    {
        var input = Track(IngestFolder.Create());
        var first = new DataDirectory(Track(TempFolder.Create("ic-ingest-a")));
        var second = new DataDirectory(Track(TempFolder.Create("ic-ingest-b")));
        var options = new IngestOptions("1.0", "2026-03-01", [input], "archive") { BaseUrls = ["s3://b/p"] };

        DicomIngest.Ingest(first, options, new RecordingObserver(), TestContext.Current.CancellationToken);
        DicomIngest.Ingest(second, options with { Parallelism = 1, BatchSize = 3 }, new RecordingObserver(), TestContext.Current.CancellationToken);

        var files = Directory.GetFiles(first.ReleasePath("1.0")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(DicomIngest.SourcesFile, files);
        Assert.Equal(files, Directory.GetFiles(second.ReleasePath("1.0")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in files.Where(f => f!.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            // Same rows in the same order first (a readable failure), then the same bytes.
            var a = IngestFolder.ReadParquet(Path.Combine(first.ReleasePath("1.0"), file!));
            var b = IngestFolder.ReadParquet(Path.Combine(second.ReleasePath("1.0"), file!));
            Assert.Equal(a.Count, b.Count);
            for (var i = 0; i < a.Count; i++)
            {
                foreach (var (column, value) in a[i])
                {
                    Assert.True(Equals(Show(value), Show(b[i][column])), $"{file} row {i} {column}: {Show(value)} / {Show(b[i][column])} (rows: {Describe(a[i])} / {Describe(b[i])})");
                }
            }
        }

        foreach (var file in files)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(first.ReleasePath("1.0"), file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second.ReleasePath("1.0"), file!))),
                $"{file} differs between the two ingests");
        }
    }

    [Fact]
    public void Extend_keeps_unchanged_instances_and_gives_revised_ones_new_uuids_as_idc_does()
    {
        Dcmtk.Require();
        // Release 1.0: CT_small and a second instance of its series (another SOPInstanceUID), MR_small, the SEG.
        var one = Track(TempFolder.Create("ic-ingest-one"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(one, "ct1"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(one, "ct2"));
        Dcmtk.Run("dcmodify", ["-nb", "-m", "(0008,0018)=1.2.826.0.1.3680043.10.511.3.4242", Path.Combine(one, "ct2")]);
        File.Copy(DicomSamples.Sample("MR_small.dcm"), Path.Combine(one, "mr"));
        var data = new DataDirectory(Track(TempFolder.Create("ic-ingest-data")));
        DicomIngest.Ingest(data, new IngestOptions("1.0", "2026-03-01", [one], "archive") { BaseUrls = ["s3://b/p"], License = "CC BY 4.0" }, new RecordingObserver(), TestContext.Current.CancellationToken);

        // Release 2.0 from it: ct1 revised (new bytes, same SOPInstanceUID), MR_small again unchanged, rtplan new.
        var two = Track(TempFolder.Create("ic-ingest-two"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(two, "ct1"));
        Dcmtk.Run("dcmodify", ["-nb", "-i", "(0008,103e)=Revised description", Path.Combine(two, "ct1")]);
        File.Copy(DicomSamples.Sample("MR_small.dcm"), Path.Combine(two, "mr"));
        File.Copy(DicomSamples.Sample("rtplan.dcm"), Path.Combine(two, "plan"));
        var report = DicomIngest.Ingest(data, new IngestOptions("2.0", "2026-04-01", [two], "archive") { Extend = "1.0", BaseUrls = ["s3://b/p"] }, new RecordingObserver(), TestContext.Current.CancellationToken);

        var before = Rows(data, "1.0");
        var after = Rows(data, "2.0");
        var ct1 = Dump(Path.Combine(one, "ct1"), "0008,0018")!;
        var ct2 = Dump(Path.Combine(one, "ct2"), "0008,0018")!;
        var mr = Dump(Path.Combine(one, "mr"), "0008,0018")!;
        Assert.Equal(4, after.Count);
        Assert.Equal(4, report.Instances);
        Assert.Equal(3, report.FilesIngested);

        // Unchanged instance of an unchanged series and study: everything kept.
        foreach (var column in new[] { "crdc_instance_uuid", "crdc_series_uuid", "crdc_study_uuid", "aws_url", "instance_hash" })
        {
            Assert.Equal(before[mr][column], after[mr][column]);
        }

        // The revised instance: new bytes, new instance, series and study UUIDs (IDC's versioning), new values.
        Assert.NotEqual(before[ct1]["instance_hash"], after[ct1]["instance_hash"]);
        Assert.NotEqual(before[ct1]["crdc_instance_uuid"], after[ct1]["crdc_instance_uuid"]);
        Assert.NotEqual(before[ct1]["crdc_series_uuid"], after[ct1]["crdc_series_uuid"]);
        Assert.NotEqual(before[ct1]["crdc_study_uuid"], after[ct1]["crdc_study_uuid"]);
        Assert.Equal(Dump(Path.Combine(two, "ct1"), "0008,103e"), after[ct1]["SeriesDescription"]);

        // Its unchanged neighbour keeps its instance UUID and bytes but moves to the new series version.
        Assert.Equal(before[ct2]["crdc_instance_uuid"], after[ct2]["crdc_instance_uuid"]);
        Assert.Equal(before[ct2]["instance_hash"], after[ct2]["instance_hash"]);
        Assert.Equal(after[ct1]["crdc_series_uuid"], after[ct2]["crdc_series_uuid"]);
        Assert.Equal($"s3://b/p/{after[ct2]["crdc_series_uuid"]}/{after[ct2]["crdc_instance_uuid"]}.dcm", after[ct2]["aws_url"]);
        Assert.Equal("CC BY 4.0", after[ct2]["license_short_name"]);

        // Upload's view: the moved instance still comes from its 1.0 file, and is also known by its old object.
        var sources = IngestFolder.ReadParquet(Path.Combine(data.ReleasePath("2.0"), DicomIngest.SourcesFile))
            .ToDictionary(s => (string)s["SOPInstanceUID"]!, StringComparer.Ordinal);
        Assert.Equal(Path.Combine(one, "ct2"), sources[ct2]["source_path"]);
        Assert.Equal(before[ct2]["aws_url"], sources[ct2]["copy_from"]);
        Assert.Equal(Path.Combine(two, "ct1"), sources[ct1]["source_path"]);
        Assert.Null(sources[ct1]["copy_from"]);
        Assert.Equal(["1.0", "2.0"], data.HeldReleases());
    }

    [Fact]
    public void Strict_refuses_an_ingest_with_a_skipped_file_and_writes_nothing()
    {
        var input = Track(TempFolder.Create("ic-ingest-strict"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(input, "ct"));
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not DICOM");
        var root = Path.Combine(Track(TempFolder.Create("ic-ingest-strict-data")), "data");
        var data = new DataDirectory(root);
        var observer = new RecordingObserver();

        var error = Assert.Throws<IngestException>(() => DicomIngest.Ingest(data, new IngestOptions("1.0", "2026-03-01", [input], "archive") { Strict = true }, observer, TestContext.Current.CancellationToken));

        Assert.Contains("--strict", error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(input, "notes.txt"), Assert.Single(observer.Skips).Path);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void A_folder_without_any_dicom_instance_writes_nothing()
    {
        var input = Track(TempFolder.Create("ic-ingest-empty"));
        File.WriteAllText(Path.Combine(input, "readme"), "nothing here");
        var data = new DataDirectory(Track(TempFolder.Create("ic-ingest-empty-data")));

        var error = Assert.Throws<IngestException>(() => DicomIngest.Ingest(data, new IngestOptions("1.0", "2026-03-01", [input], "archive"), new RecordingObserver(), TestContext.Current.CancellationToken));

        Assert.Contains("no DICOM instance", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Theory]
    [InlineData("1.0", "Release 1.0 already exists")]
    [InlineData("x", "not a release version")]
    public void Bad_options_are_refused_before_anything_is_read(string version, string message)
    {
        var input = Track(TempFolder.Create("ic-ingest-opts"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(input, "ct"));
        var data = new DataDirectory(Track(TempFolder.Create("ic-ingest-opts-data")));
        DicomIngest.Ingest(data, new IngestOptions("1.0", "2026-03-01", [input], "archive"), new RecordingObserver(), TestContext.Current.CancellationToken);

        var error = Assert.Throws<IngestException>(() => DicomIngest.Ingest(data, new IngestOptions(version, "2026-03-01", [input], "archive") { BaseUrls = ["s3://b"] }, new RecordingObserver(), TestContext.Current.CancellationToken));
        var badUrl = Assert.Throws<IngestException>(() => DicomIngest.Ingest(data, new IngestOptions("2.0", "2026-03-01", [input], "archive") { BaseUrls = ["http://b"] }, new RecordingObserver(), TestContext.Current.CancellationToken));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("s3://BUCKET", badUrl.Message, StringComparison.Ordinal);
        Assert.Equal(["1.0"], data.HeldReleases());
    }

    private static string? Show(object? value) => value is System.Collections.IEnumerable list and not string
        ? string.Join('\\', list.Cast<object>())
        : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(Dictionary<string, object?> row) =>
        string.Join(", ", new[] { "SOPInstanceUID", "SegmentNumber", "Modality" }.Where(row.ContainsKey).Select(c => $"{c}={Show(row[c])}"));

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            TempFolder.Delete(folder);
        }
    }

    private string Track(string folder)
    {
        _folders.Add(folder);
        return folder;
    }

    private static Dictionary<string, Dictionary<string, object?>> Rows(DataDirectory data, string version) =>
        IngestFolder.ReadParquet(data.TablePath(version, IdcSchema.DicomPivotName)).ToDictionary(r => (string)r["SOPInstanceUID"]!, StringComparer.Ordinal);

    private static string? Dump(string path, string tag) =>
        DumpTree.Of(path).Dataset.FirstOrDefault(e => e.Tag == Dicom.DicomTag.Parse(tag))?.Value;
}
