using System.Diagnostics;
using ImagingCommons.Data.Releases;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Cli.Tests;

/// <summary><c>kill -9</c> of <c>idc ingest</c> in the middle of its work leaves the data directory as it was; the rerun completes.</summary>
public sealed class IngestCrashTests : IDisposable
{
    private readonly string _input = TempFolder.Create("ic-crash-in");
    private readonly string _first = TempFolder.Create("ic-crash-first");
    private readonly string _data = TempFolder.Create("ic-crash-data");

    [Fact]
    public async Task A_killed_ingest_publishes_nothing_and_the_rerun_succeeds()
    {
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_first, "ct"));
        Assert.Equal(0, await IdcAsync("ingest", "--data", _data, "--release", "1.0", "--date", "2026-03-01", "--from", _first, "--collection", "c"));
        // Enough files that the ingest is still reading them when it is killed.
        var sample = File.ReadAllBytes(DicomSamples.Sample("rtplan.dcm"));
        for (var i = 0; i < 6000; i++)
        {
            File.WriteAllBytes(Path.Combine(_input, $"f{i:D5}"), sample);
        }

        var before = Snapshot();
        var data = new DataDirectory(_data);
        using (var ingest = IdcProcess.Start("ingest", "--data", _data, "--release", "2.0", "--date", "2026-04-01", "--from", _input, "--collection", "c", "--extend", "1.0"))
        {
            // Midway: its staging folder has the work database it streams rows into.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!(Directory.Exists(data.StagingPath) && Directory.EnumerateFiles(data.StagingPath, "ingest.duckdb", SearchOption.AllDirectories).Any()))
            {
                Assert.False(ingest.HasExited, "the ingest ended before it could be killed");
                Assert.True(DateTime.UtcNow < deadline, "the ingest never started writing");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            ingest.Kill();
            await ingest.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(before, Snapshot());
        Assert.Equal(["1.0"], data.HeldReleases());
        Assert.True(Directory.Exists(data.StagingPath), "the killed writer's staging folder is left for the next writer to remove");

        Assert.Equal(2, await IdcAsync("ingest", "--data", _data, "--release", "2.0", "--date", "2026-04-01", "--from", _input, "--collection", "c", "--extend", "1.0"));
        Assert.Equal(["1.0", "2.0"], data.HeldReleases());
        Assert.False(Directory.Exists(data.StagingPath));
    }

    public void Dispose()
    {
        TempFolder.Delete(_input);
        TempFolder.Delete(_first);
        TempFolder.Delete(_data);
    }

    /// <summary>Every file of the data directory outside the staging area, with its bytes.</summary>
    private string Snapshot() => string.Join("\n", Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories)
        .Where(f => !f.Contains(Path.DirectorySeparatorChar + ".staging", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(f => Path.GetRelativePath(_data, f) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));

    private static async Task<int> IdcAsync(params string[] arguments)
    {
        using var process = IdcProcess.Start(arguments);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return process.ExitCode;
    }
}
