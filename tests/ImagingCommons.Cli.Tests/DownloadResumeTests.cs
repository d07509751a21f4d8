using System.Diagnostics;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>A download killed with SIGKILL midway, then run again: complete files are not fetched again, the cut file is finished with a ranged GET.</summary>
public sealed class DownloadResumeTests(MotoS3 store) : IClassFixture<MotoS3>
{
    private const int Size = 2_000_000;
    private const int HeldAfter = 1_000_000;

    [Fact]
    public async Task A_rerun_after_kill_9_finishes_without_fetching_complete_files_again()
    {
        store.SkipUnlessAvailable();
        using var release = await StoreRelease.CreateAsync(store,
            ("big", "P1", "1.1", "2.11", "CT", 2, Size),
            ("big", "P1", "1.1", "2.12", "CT", 2, Size));
        await using var app = await ImagingCommonsApplication.StartAsync(release.Release.Root);
        await using var proxy = await S3Proxy.StartAsync(store.Endpoint!);
        using var folder = new Scratch();
        var files = release.Instances;
        proxy.HoldPath = "/" + release.Bucket + "/" + files[2].Key;
        proxy.HoldAfterBytes = HeldAfter;
        string[] args = ["download-from-selection", "--collection-id", "big", "--download-dir", folder.Path, "--parallel", "1", "--quiet",
            "--server", app.Address.ToString(), "--endpoint", proxy.Address.ToString()];

        // One file at a time, in manifest order: the third file's answer stops after 1 MB, and the process is killed there.
        using (var process = IdcProcess.Start(args))
        {
            await proxy.Held.Task.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
            await WaitForBytesAsync(files[2].DefaultPath(folder.Path) + ".part");
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var part = new FileInfo(files[2].DefaultPath(folder.Path) + ".part");
        Assert.True(File.Exists(files[0].DefaultPath(folder.Path)) && File.Exists(files[1].DefaultPath(folder.Path)), "the first two files were complete");
        Assert.False(File.Exists(files[2].DefaultPath(folder.Path)), "a cut file never has its final name");
        Assert.InRange(part.Length, 1, HeldAfter);
        Assert.False(File.Exists(files[3].DefaultPath(folder.Path)));
        var cutAt = part.Length;

        proxy.HoldPath = null;
        proxy.Requests.Clear();
        var (code, _, error) = await Idc.RunAsync(args);

        Assert.True(code == 0, error);
        foreach (var file in files)
        {
            Assert.Equal(file.Bytes, await File.ReadAllBytesAsync(file.DefaultPath(folder.Path), TestContext.Current.CancellationToken));
        }

        // Two GETs: the rest of the cut file (a ranged GET from where its part ended) and the fourth file; none for the first two.
        var gets = proxy.ObjectGets(release.Bucket);
        Assert.Equal(
            [("/" + release.Bucket + "/" + files[2].Key, $"bytes={cutAt}-"), ("/" + release.Bucket + "/" + files[3].Key, (string?)null)],
            gets.Select(g => (g.Path, g.Range)));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.part", SearchOption.AllDirectories));
        Assert.Contains("2 already complete", error, StringComparison.Ordinal);
    }

    /// <summary>Waits until the client has written some of the held answer to the part file (it writes as it reads).</summary>
    private static async Task WaitForBytesAsync(string part)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!(File.Exists(part) && new FileInfo(part).Length > 0))
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
