using System.CommandLine;
using System.Diagnostics;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Data.Schema;

using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

public sealed class ImportCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { ImportCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void The_import_verb_builds_a_release_prints_row_counts_and_warns_on_stderr()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",Modality,Extra\nc,p,s,se,i1,CT,x\nc,p,s,se,i2,CT,y\n");

        var (exitCode, output, error) = Run("import", "--data", sandbox.Data.Path, "--release", "24.0", "--date", "2026-05-15", "--from", sandbox.From);

        Assert.Equal(0, exitCode);
        Assert.Contains("Imported release 24.0 (2026-05-15)", output, StringComparison.Ordinal);
        Assert.Matches(@"dicom_pivot\s+2 rows", output);
        Assert.Matches(@"original_collections_metadata\s+1 rows", output);
        Assert.Matches(@"tcga_clinical_rel9\s+0 rows", output);
        var lines = error.Split('\n');
        Assert.Equal($"idc import: data directory {sandbox.Data.Path}", lines[0]);
        Assert.StartsWith("warning: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("'Extra'", error, StringComparison.Ordinal);
        Assert.True(sandbox.Data.HasTable("24.0", IdcSchema.DicomPivotName));
    }

    [Fact]
    public void The_import_verb_prints_the_error_and_exits_1_on_bad_input()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + ",StudyDate\nc,p,s,se,i1,yesterday\n");

        var (exitCode, output, error) = Run("import", "--data", sandbox.Data.Path, "--release", "24.0", "--date", "2026-05-15", "--from", sandbox.From);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal(
            $"idc import: data directory {sandbox.Data.Path}\n"
            + $"error: {sandbox.InputPath("dicom_pivot.csv")}, row 1 (line 2), column StudyDate: 'yesterday' is not a date (yyyy-MM-dd, or yyyyMMdd as DICOM writes dates).",
            error.Trim());
        Assert.False(Directory.Exists(sandbox.Data.Path));
    }

    [Fact]
    public void The_import_verb_refuses_missing_options()
    {
        var (exitCode, _, error) = Run("import", "--release", "24.0", "--from", "somewhere");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--date", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_idc_program_runs_the_import_verb()
    {
        using var sandbox = new ImportSandbox();
        sandbox.Write("dicom_pivot.csv", ImportSandbox.Keys + "\nc,p,s,se,i1\n");
        var idc = Path.Combine(AppContext.BaseDirectory, "idc.dll");

        var ok = RunProcess(idc, "import", "--data", sandbox.Data.Path, "--release", "24.0", "--date", "2026-05-15", "--from", sandbox.From);
        var again = RunProcess(idc, "import", "--data", sandbox.Data.Path, "--release", "24.0", "--date", "2026-05-15", "--from", sandbox.From);

        Assert.Equal(0, ok.ExitCode);
        Assert.Matches(@"dicom_pivot\s+1 rows", ok.Output);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: Release 24.0 already exists", again.Error.Split('\n')[1], StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) RunProcess(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
