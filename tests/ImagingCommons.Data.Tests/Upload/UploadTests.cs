using System.Security.Cryptography;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Upload;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;
using ImagingCommons.Testing.S3;
using ImagingCommons.Data.Tests.Ingest;

namespace ImagingCommons.Data.Tests.Upload;

/// <summary><c>idc upload</c> against a real S3-compatible store on loopback (moto_server).</summary>
public sealed class UploadTests : IDisposable
{
    private readonly string _input = TempFolder.Create("ic-upload-in");
    private readonly DataDirectory _data = new(TempFolder.Create("ic-upload-data"));

    [Fact]
    public async Task Every_object_lands_under_its_key_with_the_files_bytes_and_a_rerun_sends_nothing()
    {
        var endpoint = S3TestStore.Endpoint;
        var bucket = S3TestStore.NewBucketName();
        Ingest("1.0", bucket, ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "liver_1frame.dcm"]);
        var sources = Sources("1.0");

        var first = await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), new Failures(), TestContext.Current.CancellationToken);
        var second = await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), new Failures(), TestContext.Current.CancellationToken);

        Assert.NotNull(endpoint);
        Assert.Equal(new UploadReport(4, 4, 0, 0, 0, sources.Sum(s => (long)s["instance_size"]!)), first);
        Assert.Equal(new UploadReport(4, 0, 4, 0, 0, 0), second);
        foreach (var source in sources)
        {
            var stored = await StoreReads.GetAsync((string)source["aws_url"]!);
            var file = (string)source["source_path"]!;
            Assert.Equal(File.ReadAllBytes(file), stored);
            Assert.Equal(IngestFolder.Md5Sum(file), Convert.ToHexStringLower(MD5.HashData(stored!)));
        }
    }

    [Fact]
    public async Task A_rerun_after_a_lost_or_damaged_object_sends_only_that_object()
    {
        var bucket = S3TestStore.NewBucketName();
        Ingest("1.0", bucket, ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]);
        await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), new Failures(), TestContext.Current.CancellationToken);
        var sources = Sources("1.0");
        var lost = Key((string)sources[0]["aws_url"]!);
        var damaged = Key((string)sources[1]["aws_url"]!);
        await StoreReads.DeleteAsync(bucket, lost);
        await StoreReads.PutAsync(bucket, damaged, new byte[(long)sources[1]["instance_size"]!]);

        var report = await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), new Failures(), TestContext.Current.CancellationToken);

        Assert.Equal(2, report.Uploaded);
        Assert.Equal(1, report.AlreadyPresent);
        Assert.Equal(File.ReadAllBytes((string)sources[1]["source_path"]!), await StoreReads.GetAsync((string)sources[1]["aws_url"]!));
    }

    [Fact]
    public async Task A_revised_series_moves_its_unchanged_instances_by_copying_them_in_the_store()
    {
        Dcmtk.Require();
        var bucket = S3TestStore.NewBucketName();
        var one = Path.Combine(_input, "one");
        Directory.CreateDirectory(one);
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(one, "ct1"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(one, "ct2"));
        Dcmtk.Run("dcmodify", ["-nb", "-m", "(0008,0018)=1.2.826.0.1.3680043.10.511.3.4343", Path.Combine(one, "ct2")]);
        DicomIngest.Ingest(_data, new IngestOptions("1.0", "2026-03-01", [one], "archive") { BaseUrls = [$"s3://{bucket}/p"] }, new RecordingObserver(), TestContext.Current.CancellationToken);
        await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), new Failures(), TestContext.Current.CancellationToken);
        var two = Path.Combine(_input, "two");
        Directory.CreateDirectory(two);
        File.Copy(Path.Combine(one, "ct1"), Path.Combine(two, "ct1"));
        Dcmtk.Run("dcmodify", ["-nb", "-i", "(0008,103e)=Revised", Path.Combine(two, "ct1")]);
        DicomIngest.Ingest(_data, new IngestOptions("2.0", "2026-04-01", [two], "archive") { Extend = "1.0", BaseUrls = [$"s3://{bucket}/p"] }, new RecordingObserver(), TestContext.Current.CancellationToken);
        // The unchanged instance's file is gone: its bytes are only in the store, under its 1.0 key.
        File.Delete(Path.Combine(one, "ct2"));

        var failures = new Failures();
        var report = await ReleaseUploader.UploadAsync(_data, StoreReads.Options("2.0"), failures, TestContext.Current.CancellationToken);

        Assert.Empty(failures.Items);
        Assert.Equal(new UploadReport(2, 1, 0, 1, 0, new FileInfo(Path.Combine(two, "ct1")).Length), report);
        var moved = Sources("2.0").Single(s => s["copy_from"] is not null);
        Assert.Equal(await StoreReads.GetAsync((string)moved["copy_from"]!), await StoreReads.GetAsync((string)moved["aws_url"]!));
    }

    [Fact]
    public async Task An_object_without_its_file_or_an_earlier_copy_fails_with_a_reason_and_the_others_land()
    {
        var bucket = S3TestStore.NewBucketName();
        Ingest("1.0", bucket, ["CT_small.dcm", "MR_small.dcm"]);
        var gone = Sources("1.0").First();
        File.Delete((string)gone["source_path"]!);
        var failures = new Failures();

        var report = await ReleaseUploader.UploadAsync(_data, StoreReads.Options("1.0"), failures, TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Uploaded);
        Assert.Equal(1, report.Failed);
        var (url, reason) = Assert.Single(failures.Items);
        Assert.Equal(gone["aws_url"], url);
        Assert.Contains("is gone", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_that_was_not_ingested_cannot_be_uploaded()
    {
        using var release = new HandMadeRelease();
        release.Write("1.0", [HandMadeRelease.Instance("c", "p", "1", "1.1", "1.1.1", "CT")]);

        var error = await Assert.ThrowsAsync<UploadException>(() => ReleaseUploader.UploadAsync(release.Data, new UploadOptions("1.0", new Uri("http://127.0.0.1:9/")), new Failures(), TestContext.Current.CancellationToken));

        Assert.Contains("not made by idc ingest", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        TempFolder.Delete(_input);
        TempFolder.Delete(_data.Path);
    }

    private void Ingest(string version, string bucket, string[] samples)
    {
        var folder = Path.Combine(_input, version);
        Directory.CreateDirectory(folder);
        foreach (var sample in samples)
        {
            File.Copy(DicomSamples.Sample(sample), Path.Combine(folder, sample));
        }

        DicomIngest.Ingest(_data, new IngestOptions(version, "2026-03-01", [folder], "archive") { BaseUrls = [$"s3://{bucket}/archive"] }, new RecordingObserver(), TestContext.Current.CancellationToken);
    }

    private List<Dictionary<string, object?>> Sources(string version) =>
        IngestFolder.ReadParquet(Path.Combine(_data.ReleasePath(version), DicomIngest.SourcesFile), "aws_url");

    private static string Key(string url) => url[(url.IndexOf('/', "s3://".Length) + 1)..];

    private sealed class Failures : IUploadObserver
    {
        public List<(string Url, string Reason)> Items { get; } = [];

        public void Failed(string url, string reason) => Items.Add((url, reason));

        public void Progress(UploadProgress progress)
        {
        }
    }
}
