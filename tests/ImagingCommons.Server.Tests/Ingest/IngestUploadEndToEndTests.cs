using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Upload;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;
using ImagingCommons.Testing.S3;

namespace ImagingCommons.Server.Tests.Ingest;

/// <summary>Serve your own archive: ingest a folder, upload it to an S3-compatible store, query the server, fetch every object.</summary>
public sealed class IngestUploadEndToEndTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public async Task Every_aws_url_of_a_manifest_fetches_the_ingested_files_bytes()
    {
        var bucket = S3TestStore.NewBucketName("archive");
        var input = Track(IngestFolder.Create());
        var data = new DataDirectory(Track(TempFolder.Create("ic-e2e-data")));
        var ingest = DicomIngest.Ingest(
            data, new IngestOptions("1.0", "2026-03-01", [input], "my_archive") { BaseUrls = [$"s3://{bucket}/idc"] }, new Quiet(), TestContext.Current.CancellationToken);
        var upload = await ReleaseUploader.UploadAsync(data, StoreReads.Options("1.0"), new Quiet(), TestContext.Current.CancellationToken);
        Assert.Equal(0, upload.Failed);
        Assert.Equal(ingest.Instances, upload.Uploaded);

        await using var server = await ImagingCommonsApplication.StartAsync(data.Path);
        using var content = new StringContent(
            """{"cohort_def":{"name":"mine","description":"all of it","filters":{"collection_id":["my_archive"]}},"fields":["SOPInstanceUID","aws_url","instance_hash","instance_size"],"page_size":1000}""",
            Encoding.UTF8,
            "application/json");
        using var response = await server.Client.PostAsync("/v2/cohorts/manifest/preview", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var rows = body.RootElement.GetProperty("manifest").GetProperty("manifest_data").EnumerateArray().ToList();

        // Each instance once (a SEG's segments and a report's measured segments collapse into its one object).
        Assert.Equal(ingest.Instances, rows.Count);
        var fileHashes = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Select(IngestFolder.Md5Sum).ToHashSet(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var url = row.GetProperty("aws_url").GetString()!;
            Assert.StartsWith($"s3://{bucket}/idc/", url, StringComparison.Ordinal);
            var stored = await StoreReads.GetAsync(url);
            Assert.NotNull(stored);
            var md5 = Convert.ToHexStringLower(MD5.HashData(stored));
            Assert.Equal(row.GetProperty("instance_hash").GetString(), md5);
            Assert.Equal(row.GetProperty("instance_size").GetInt64(), stored.LongLength);
            Assert.Contains(md5, fileHashes);
        }
    }

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

    private sealed class Quiet : IIngestObserver, IUploadObserver
    {
        public void Skipped(string path, string reason)
        {
        }

        public void Duplicate(string path, string firstPath, string sopInstanceUid)
        {
        }

        public void Progress(IngestProgress progress)
        {
        }

        public void Failed(string url, string reason) => Assert.Fail($"{url}: {reason}");

        public void Progress(UploadProgress progress)
        {
        }
    }
}
