using System.CommandLine;
using System.Globalization;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Upload;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// <c>idc upload</c>: an ingested release's files into an S3-compatible store under its aws_url keys. Exit 0: every
/// object is in the store and verified; 2: some failed (listed on stderr; a rerun resumes); 1: nothing could be done.
/// </summary>
internal static class UploadCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data directory holding the releases", DefaultValueFactory = _ => "data" };
        var release = new Option<string>("--release") { Description = "The ingested release whose files to upload", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "S3-compatible service URL, like https://s3.amazonaws.com or http://127.0.0.1:9000", Required = true };
        var bucket = new Option<string>("--bucket") { Description = "Upload into this bucket instead of the aws_url's (same keys)" };
        var createBucket = new Option<bool>("--create-bucket") { Description = "Create the bucket if it does not exist" };
        var parallel = new Option<int>("--parallel") { Description = "Objects sent at once", DefaultValueFactory = _ => 8 };
        var command = new Command("upload", "Copy an ingested release's files into an S3-compatible store (credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else anonymous)")
        {
            data, release, endpoint, bucket, createBucket, parallel,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!Uri.TryCreate(parse.GetValue(endpoint), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                error.WriteLine($"error: --endpoint '{parse.GetValue(endpoint)}' is not an http(s) URL.");
                return 1;
            }

            var options = new UploadOptions(parse.GetValue(release)!, url)
            {
                Bucket = parse.GetValue(bucket),
                CreateBucket = parse.GetValue(createBucket),
                Parallelism = Math.Max(1, parse.GetValue(parallel)),
            };
            var observer = new ConsoleObserver(error, ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected);
            try
            {
                var report = await ReleaseUploader.UploadAsync(new DataDirectory(parse.GetValue(data)!), options, observer, cancellationToken);
                observer.EndProgress();
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"uploaded {report.Uploaded} objects ({ReleaseUploader.Format(report.BytesUploaded)}), already present {report.AlreadyPresent}, copied {report.Copied}, failed {report.Failed} (of {report.Objects})"));
                return report.Failed > 0 ? 2 : 0;
            }
            catch (UploadException e)
            {
                observer.EndProgress();
                error.WriteLine("error: " + e.Message);
                return 1;
            }
            catch (OperationCanceledException)
            {
                observer.EndProgress();
                error.WriteLine("error: the upload was cancelled; run it again to send the rest.");
                return 130;
            }
        });
        return command;
    }

    private sealed class ConsoleObserver(TextWriter error, bool terminal) : IUploadObserver
    {
        private bool _progressShown;
        private TimeSpan? _lastPlain;

        public void Failed(string url, string reason)
        {
            EndProgress();
            error.WriteLine($"{url}: {reason}");
        }

        public void Progress(UploadProgress progress)
        {
            var rate = progress.Elapsed.TotalSeconds > 0 ? progress.BytesSent / progress.Elapsed.TotalSeconds : 0;
            var line = string.Create(CultureInfo.InvariantCulture, $"{progress.ObjectsDone}/{progress.ObjectsTotal} objects, {ReleaseUploader.Format(progress.BytesSent)} sent, {rate / 1e6:F1} MB/s");
            if (terminal)
            {
                error.Write("\r" + line + "   ");
                _progressShown = true;
            }
            else if (progress.ObjectsDone == progress.ObjectsTotal || _lastPlain is null || progress.Elapsed - _lastPlain >= TimeSpan.FromSeconds(5))
            {
                _lastPlain = progress.Elapsed;
                error.WriteLine("upload: " + line);
            }
        }

        public void EndProgress()
        {
            if (_progressShown)
            {
                error.WriteLine();
                _progressShown = false;
            }
        }
    }
}
