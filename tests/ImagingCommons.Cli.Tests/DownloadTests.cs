using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>The download verbs against the server and a real S3-compatible store (moto_server) on loopback.</summary>
public sealed class DownloadTests(MotoS3 store) : IClassFixture<MotoS3>
{
    private static (string, string, string, string, string, int, int)[] ThreeSeries =>
    [
        ("tcga_luad", "TCGA-05-0001", "1.1", "2.11", "CT", 3, 2_000),
        ("tcga_luad", "TCGA-05-0001", "1.1", "2.12", "SEG", 1, 700),
        ("tcga_luad", "TCGA-05-0002", "1.2", "2.21", "MR", 2, 1_500),
        ("nlst", "100001", "1.5", "2.51", "CT", 2, 900),
    ];

    [Fact]
    public async Task Several_series_of_a_selection_download_completely_and_verify()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();

        var (code, _, error) = await Idc.RunAsync(
            "download-from-selection", "--collection-id", "tcga_luad", "--download-dir", folder.Path, "--server", app.Address.ToString(), "--endpoint", store.Endpoint!.ToString());

        Assert.True(code == 0, error);
        var luad = release.Instances.Where(i => i.Collection == "tcga_luad").ToList();
        Assert.Equal(6, luad.Count);
        foreach (var instance in luad)
        {
            Assert.Equal(instance.Bytes, await File.ReadAllBytesAsync(instance.DefaultPath(folder.Path), TestContext.Current.CancellationToken));
        }

        // Nothing else: no nlst folder, no .part file left.
        Assert.Equal(luad.Select(i => i.DefaultPath(folder.Path)).Order(StringComparer.Ordinal), Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        Assert.Contains("downloaded 6 files", error, StringComparison.Ordinal);
        Assert.Contains("6 verified by MD5", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_changed_in_the_store_is_detected_by_its_md5_and_reported_with_exit_3()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        using var folder = new Scratch();
        var good = release.Instances[0];
        var changed = release.Instances[1];

        // The manifest carries each instance's MD5 (instance_hash, as an ingested release has it); then one object's
        // bytes change in the store, keeping its size (its ETag follows the new bytes, so only instance_hash catches it).
        var manifest = folder.File("manifest.json");
        await File.WriteAllTextAsync(manifest, "[" + string.Join(",", new[] { good, changed }.Select(i =>
            $$"""{"collection_id":"{{i.Collection}}","PatientID":"{{i.Patient}}","StudyInstanceUID":"{{i.Study}}","SeriesInstanceUID":"{{i.Series}}","Modality":"{{i.Modality}}","crdc_series_uuid":"{{i.SeriesUuid}}","aws_url":"s3://{{release.Bucket}}/{{i.Key}}","instance_size":{{i.Bytes.Length}},"instance_hash":"{{Md5(i.Bytes)}}"}""")) + "]",
            TestContext.Current.CancellationToken);
        var tampered = (byte[])changed.Bytes.Clone();
        tampered[^1] ^= 0xFF;
        await store.PutAsync(release.Bucket, changed.Key, tampered);

        var (code, _, error) = await Idc.RunAsync(
            "download-from-manifest", "--manifest-file", manifest, "--download-dir", folder.File("out"), "--endpoint", store.Endpoint!.ToString(), "--quiet");

        Assert.True(code == 3, error);
        Assert.Equal(good.Bytes, await File.ReadAllBytesAsync(good.DefaultPath(folder.File("out")), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(changed.DefaultPath(folder.File("out"))), "a file that does not verify never gets its name");
        Assert.False(File.Exists(changed.DefaultPath(folder.File("out")) + ".part"));
        Assert.Contains($"did not verify: s3://{release.Bucket}/{changed.Key}: MD5 {Md5(tampered)} is not the manifest's instance_hash {Md5(changed.Bytes)}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_s5cmd_manifest_in_IDC_format_downloads_its_series_into_the_servers_folders()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();
        var manifest = folder.File("study_manifest_aws.s5cmd");
        var series = release.Instances.Where(i => i.Series is "2.11" or "2.51").Select(i => i.SeriesUuid).Distinct().ToList();

        // IDC's own layout of the file: its three comment lines, a stray line without a URL, one cp line per series.
        await File.WriteAllTextAsync(manifest, $"""
            # To download the files in this manifest, first install s5cmd (https://github.com/peak/s5cmd),
            # then run the following command:
            # s5cmd --no-sign-request --endpoint-url https://s3.amazonaws.com run study_manifest_aws.s5cmd
            study_manifest_cp_command
            cp s3://{release.Bucket}/{series[0]}/* .
            cp s3://{release.Bucket}/{series[1]}/*  .

            """, TestContext.Current.CancellationToken);

        var (code, _, error) = await Idc.RunAsync(
            "download-from-manifest", "--manifest-file", manifest, "--download-dir", folder.File("out"), "--server", app.Address.ToString(), "--endpoint", store.Endpoint!.ToString());

        Assert.True(code == 0, error);
        var expected = release.Instances.Where(i => i.Series is "2.11" or "2.51").ToList();
        Assert.Equal(5, expected.Count);
        foreach (var instance in expected)
        {
            Assert.Equal(instance.Bytes, await File.ReadAllBytesAsync(instance.DefaultPath(folder.File("out")), TestContext.Current.CancellationToken));
        }

        Assert.Equal(5, Directory.GetFiles(folder.File("out"), "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task A_manifest_naming_a_series_the_server_does_not_know_downloads_nothing_unless_validation_is_off()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();
        var known = release.Instances[0];
        var stray = "7e000000-0000-4000-8000-000000000999";
        await store.PutAsync(release.Bucket, stray + "/only.dcm", [1, 2, 3]);
        var manifest = folder.File("m.s5cmd");
        await File.WriteAllTextAsync(manifest, $"cp s3://{release.Bucket}/{known.SeriesUuid}/* .\ncp s3://{release.Bucket}/{stray}/* .\n", TestContext.Current.CancellationToken);
        string[] common = ["--manifest-file", manifest, "--server", app.Address.ToString(), "--endpoint", store.Endpoint!.ToString()];

        var (refused, _, refusal) = await Idc.RunAsync(["download-from-manifest", "--download-dir", folder.File("a"), .. common]);
        var (code, _, error) = await Idc.RunAsync(["download-from-manifest", "--download-dir", folder.File("b"), "--validate-manifest", "false", .. common]);

        Assert.Equal(1, refused);
        Assert.Contains($"series {stray} is not in the server's release", refusal, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("a")) && Directory.EnumerateFiles(folder.File("a"), "*", SearchOption.AllDirectories).Any());
        Assert.True(code == 0, error);
        Assert.Equal(known.Bytes, await File.ReadAllBytesAsync(known.DefaultPath(folder.File("b")), TestContext.Current.CancellationToken));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(folder.File("b"), stray, "only.dcm"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Download_resolves_each_kind_of_identifier_on_the_server()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();
        var mr = release.Instances.First(i => i.Series == "2.21");

        // A patient (TCGA-05-0001: series 2.11 and 2.12) and a crdc_series_uuid (of series 2.21), comma-separated as idc-index takes them.
        var (code, _, error) = await Idc.RunAsync(
            "download", "TCGA-05-0001," + mr.SeriesUuid, "--download-dir", folder.Path, "--server", app.Address.ToString(), "--endpoint", store.Endpoint!.ToString());

        Assert.True(code == 0, error);
        var expected = release.Instances.Where(i => i.Series is "2.11" or "2.12" or "2.21").ToList();
        Assert.Equal(expected.Select(i => i.DefaultPath(folder.Path)).Order(StringComparer.Ordinal), Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        foreach (var instance in expected)
        {
            Assert.Equal(instance.Bytes, await File.ReadAllBytesAsync(instance.DefaultPath(folder.Path), TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task An_identifier_the_server_does_not_know_is_reported_and_fails()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();

        var (code, _, error) = await Idc.RunAsync("download", "rider_pilot", "--download-dir", folder.Path, "--server", app.Address.ToString(), "--endpoint", store.Endpoint!.ToString());

        Assert.Equal(1, code);
        Assert.Contains("rider_pilot is none of collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, crdc_series_uuid", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_dry_run_prints_what_would_be_fetched_and_its_size_and_fetches_nothing()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        await using var proxy = await S3Proxy.StartAsync(store.Endpoint!);
        using var folder = new Scratch();

        var (code, output, error) = await Idc.RunAsync(
            "download-from-selection", "--series-instance-uid", "2.21,2.51", "--collection-id", "tcga_luad", "--dry-run", "--download-dir", folder.Path,
            "--dir-template", "%SeriesInstanceUID", "--server", app.Address.ToString(), "--endpoint", proxy.Address.ToString());

        // The most specific selection wins (series 2.21 and 2.51, not all of tcga_luad): 2 × 1500 + 2 × 900 bytes, in the
        // manifest's order (collection_id first: nlst before tcga_luad).
        Assert.True(code == 0, error);
        var expected = release.Instances.Where(i => i.Series is "2.21" or "2.51").OrderBy(i => i.Collection, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => $"s3://{release.Bucket}/{i.Key}\t{Path.Combine(folder.Path, i.Series, i.InstanceUuid + ".dcm")}\t{i.Bytes.Length}");
        Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("dry run: 4 files to fetch (4.8 kB)", error, StringComparison.Ordinal);
        Assert.Empty(proxy.ObjectGets(release.Bucket));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_manifest_written_by_idc_manifest_downloads_with_download_from_manifest()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store, ThreeSeries);
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        using var folder = new Scratch();
        var server = app.Address.ToString();

        foreach (var format in new[] { "json", "ndjson", "csv", "tsv", "parquet", "s5cmd" })
        {
            var manifest = folder.File("m." + format);
            var (written, _, writeError) = await Idc.RunAsync("manifest", "--filter", "Modality=MR,SEG", "--output", manifest, "--server", server);
            Assert.True(written == 0, writeError);
            var target = folder.File(format);
            var (code, _, error) = await Idc.RunAsync("download-from-manifest", "--manifest-file", manifest, "--download-dir", target, "--server", server, "--endpoint", store.Endpoint!.ToString(), "--quiet");
            Assert.True(code == 0, format + ": " + error);
            foreach (var instance in release.Instances.Where(i => i.Modality is "MR" or "SEG"))
            {
                Assert.Equal(instance.Bytes, await File.ReadAllBytesAsync(instance.DefaultPath(target), TestContext.Current.CancellationToken));
            }
        }
    }

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
}
