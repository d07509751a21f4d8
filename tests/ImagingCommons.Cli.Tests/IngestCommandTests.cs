using System.CommandLine;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Cli.Tests;

public sealed class IngestCommandTests : IDisposable
{
    private readonly string _input = TempFolder.Create("ic-cli-ingest-in");
    private readonly string _data = TempFolder.Create("ic-cli-ingest-data");

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { IngestCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_clean_folder_is_ingested_with_exit_0_and_the_summary_line()
    {
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_input, "a"));
        File.Copy(DicomSamples.Sample("rtplan.dcm"), Path.Combine(_input, "b"));

        var (exitCode, output, error) = Run("ingest", "--data", _data, "--release", "1.0", "--date", "2026-03-01", "--from", _input, "--collection", "archive");

        Assert.Equal(0, exitCode);
        Assert.Contains("ingested 2 files: 2 instances, 2 series, 2 studies, 2 patients; skipped 0 (see above); duplicates 0", output, StringComparison.Ordinal);
        // Not a terminal: plain progress lines.
        Assert.Contains("ingest: 2/2 files", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipped_files_and_duplicates_are_listed_on_stderr_and_exit_2()
    {
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_input, "a"));
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_input, "b"));
        var broken = Path.Combine(_input, "c");
        File.WriteAllBytes(broken, File.ReadAllBytes(DicomSamples.Sample("MR_small.dcm"))[..400]);
        File.WriteAllText(Path.Combine(_input, "d.txt"), "notes");

        var (exitCode, output, error) = Run("ingest", "--data", _data, "--release", "1.0", "--date", "2026-03-01", "--from", _input, "--collection", "archive");

        Assert.Equal(2, exitCode);
        Assert.Contains("ingested 1 files: 1 instances, 1 series, 1 studies, 1 patients; skipped 2 (see above); duplicates 1", output, StringComparison.Ordinal);
        Assert.Contains($"{broken}: the file ends", error, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(_input, "d.txt")}: not a DICOM file", error, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(_input, "b")}: duplicate of {Path.Combine(_input, "a")}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_turns_a_skipped_file_into_exit_1_with_nothing_written()
    {
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_input, "a"));
        File.WriteAllText(Path.Combine(_input, "d.txt"), "notes");

        var (exitCode, output, error) = Run("ingest", "--data", _data, "--release", "1.0", "--date", "2026-03-01", "--from", _input, "--collection", "archive", "--strict");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("error: ", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_data));
    }

    public void Dispose()
    {
        TempFolder.Delete(_input);
        TempFolder.Delete(_data);
    }
}
