using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Cli.Tests;

/// <summary>
/// Serve your own archive, then download it as a researcher would: <c>idc ingest</c> of real DICOM files with
/// <c>--base-url</c>, <c>idc upload</c> to the S3 store, <c>idc download-from-selection --collection-id</c> from the
/// server: every file comes back byte for byte, verified against the instance_hash the ingest recorded.
/// </summary>
public sealed class IngestUploadDownloadTests(MotoS3 store) : IClassFixture<MotoS3>
{
    [Fact]
    public async Task Ingested_and_uploaded_files_download_byte_identical_and_a_changed_object_exits_3()
    {
        store.SkipUnlessAvailable();
        Dcmtk.Require();
        using var scratch = new Scratch();
        var input = IngestFolder.Create();
        try
        {
            var bucket = await store.CreateBucketAsync("archive");
            var data = scratch.File("data");
            var (ingested, _, ingestError) = await Idc.RunAsync(
                "ingest", "--data", data, "--release", "1.0", "--date", "2026-03-01", "--from", input, "--collection", "my_archive", "--base-url", $"s3://{bucket}/idc");
            Assert.True(ingested is 0 or 2, ingestError);

            // idc upload signs with the environment's AWS keys: run it as its own process with moto's test keys.
            var upload = await RunIdcAsync(["upload", "--data", data, "--release", "1.0", "--endpoint", store.Endpoint!.ToString()],
                new() { ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing" });
            Assert.True(upload.Code == 0, upload.Output);

            await using var app = await ImagingCommonsApplication.StartAsync(data);
            var server = app.Address.ToString();
            var endpoint = store.Endpoint!.ToString();
            var target = scratch.File("download");

            var (code, _, error) = await Idc.RunAsync("download-from-selection", "--collection-id", "my_archive", "--download-dir", target, "--server", server, "--endpoint", endpoint);

            Assert.True(code == 0, error);
            var downloaded = Directory.GetFiles(target, "*", SearchOption.AllDirectories);
            Assert.NotEmpty(downloaded);
            Assert.Contains($"{downloaded.Length} verified by MD5", error, StringComparison.Ordinal);

            // Every downloaded file is one of the source files, byte for byte; every DICOM source file came back once.
            var sources = Directory.GetFiles(input, "*", SearchOption.AllDirectories).ToDictionary(IngestFolder.Md5Sum, f => f, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in downloaded)
            {
                var md5 = IngestFolder.Md5Sum(file);
                Assert.True(sources.TryGetValue(md5, out var source), $"{file} is none of the source files");
                Assert.Equal(await File.ReadAllBytesAsync(source, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
                Assert.True(seen.Add(md5), $"{source} came back twice");
                AssertFolder(target, file);
            }

            // The source files that did not come back are exactly those the ingest said it skipped (not DICOM) or set aside
            // (a second file of a SOPInstanceUID it already had): "<path>: <reason>" lines on its standard error.
            var setAside = sources.Values.Where(path => ingestError.Contains(path + ": ", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
            var notDownloaded = sources.Where(s => !seen.Contains(s.Key)).Select(s => s.Value).Order(StringComparer.Ordinal);
            Assert.Equal(setAside, notDownloaded);
            Assert.Equal(sources.Count, seen.Count + setAside.Count());

            // Change one object's bytes in the store (same size): its MD5 no longer is the instance_hash the ingest recorded.
            var victim = downloaded.OrderBy(f => f, StringComparer.Ordinal).First();
            var listing = await store.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = "idc/" }, TestContext.Current.CancellationToken);
            var key = Assert.Single(listing.S3Objects, o => o.Key.EndsWith("/" + Path.GetFileName(victim), StringComparison.Ordinal)).Key;
            var bytes = await File.ReadAllBytesAsync(victim, TestContext.Current.CancellationToken);
            bytes[^1] ^= 0x5A;
            await store.PutAsync(bucket, key, bytes);
            var again = scratch.File("again");

            var (changed, _, changedError) = await Idc.RunAsync("download-from-selection", "--collection-id", "my_archive", "--download-dir", again, "--server", server, "--endpoint", endpoint, "--quiet");

            Assert.True(changed == 3, changedError);
            Assert.Contains($"did not verify: s3://{bucket}/{key}: MD5 {Convert.ToHexStringLower(MD5.HashData(bytes))} is not the manifest's instance_hash {IngestFolder.Md5Sum(victim)}", changedError, StringComparison.Ordinal);
            Assert.Equal(downloaded.Length - 1, Directory.GetFiles(again, "*", SearchOption.AllDirectories).Length);
        }
        finally
        {
            TempFolder.Delete(input);
        }
    }

    /// <summary>The file is in idc-index's default folders, named by its own attributes as dcmdump reads them (top level only).</summary>
    private static void AssertFolder(string root, string file)
    {
        var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
        Assert.Equal(5, parts.Length);
        Assert.Equal("my_archive", parts[0]);
        var dump = Encoding.Latin1.GetString(Dcmtk.Run("dcmdump", "-q", file)).Split('\n');
        string? Top(string tag) => dump.FirstOrDefault(l => l.StartsWith(tag, StringComparison.Ordinal)) is { } line && line.IndexOf('[') is var open and >= 0
            ? line[(open + 1)..line.IndexOf(']', open)].Trim()
            : null;
        if (Top("(0010,0020)") is { Length: > 0 } patient)
        {
            Assert.Equal(patient, parts[1]);
        }

        Assert.Equal(Top("(0020,000d)"), parts[2]);
        Assert.Equal($"{Top("(0008,0060)")}_{Top("(0020,000e)")}", parts[3]);
    }

    private static async Task<(int Code, string Output)> RunIdcAsync(string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "idc.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
