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
}
