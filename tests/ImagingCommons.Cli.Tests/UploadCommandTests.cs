using System.CommandLine;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;
using ImagingCommons.Testing.S3;

namespace ImagingCommons.Cli.Tests;

public sealed class UploadCommandTests : IDisposable
{
    private readonly string _input = TempFolder.Create("ic-cli-upload-in");
    private readonly string _data = TempFolder.Create("ic-cli-upload-data");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { IngestCommand.Create(), UploadCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_upload_verb_signs_with_the_aws_variables_reports_and_resumes()
    {
        var endpoint = S3TestStore.Endpoint.ToString();
        var bucket = S3TestStore.NewBucketName();
        File.Copy(DicomSamples.Sample("CT_small.dcm"), Path.Combine(_input, "a"));
        File.Copy(DicomSamples.Sample("rtplan.dcm"), Path.Combine(_input, "b"));
        var (ingested, _, _) = await RunAsync("ingest", "--data", _data, "--release", "1.0", "--date", "2026-03-01", "--from", _input, "--collection", "c", "--base-url", $"s3://{bucket}");
        Assert.Equal(0, ingested);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
        try
        {
            var first = await RunAsync("upload", "--data", _data, "--release", "1.0", "--endpoint", endpoint, "--create-bucket");
            var second = await RunAsync("upload", "--data", _data, "--release", "1.0", "--endpoint", endpoint);

            Assert.Equal(0, first.ExitCode);
            Assert.StartsWith("uploaded 2 objects (", first.Output, StringComparison.Ordinal);
            Assert.Contains("already present 0, copied 0, failed 0 (of 2)", first.Output, StringComparison.Ordinal);
            Assert.Equal(0, second.ExitCode);
            Assert.StartsWith("uploaded 0 objects (0.0 MB), already present 2, copied 0, failed 0 (of 2)", second.Output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
        }
    }

    [Fact]
    public async Task Uploading_a_release_that_is_not_held_exits_1()
    {
        var (exitCode, output, error) = await RunAsync("upload", "--data", _data, "--release", "9.0", "--endpoint", "http://127.0.0.1:9");

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("error: release 9.0 is not held", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        TempFolder.Delete(_input);
        TempFolder.Delete(_data);
    }
}
