using System.CommandLine;
using System.Globalization;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// <c>idc ingest</c>: a release from folders of DICOM files. Exit 0: written, every file ingested; 2: written, but
/// some files were skipped or were duplicates (listed on stderr); 1: nothing written.
/// </summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data directory holding the releases", DefaultValueFactory = _ => "data" };
        var release = new Option<string>("--release") { Description = "IDC data version to create, like 25.0", Required = true };
        var date = new Option<string>("--date") { Description = "Date the release became active, yyyy-MM-dd", Required = true };
        var from = new Option<string[]>("--from") { Description = "Folder of DICOM files, read recursively (repeat for more)", Required = true, AllowMultipleArgumentsPerToken = false };
        var collection = new Option<string>("--collection") { Description = "Collection id of the ingested instances, like my_archive", Required = true };
        var baseUrl = new Option<string[]>("--base-url") { Description = "Where the files are served: s3://BUCKET[/PREFIX] and/or gs://BUCKET[/PREFIX]" };
        var extend = new Option<string>("--extend") { Description = "Start from this held release's instances (adds and revisions)" };
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1, nothing written) when any file is skipped or duplicated" };
        var license = new Option<string>("--license") { Description = "Licence short name of the collection, like \"CC BY 4.0\"" };
        var doi = new Option<string>("--doi") { Description = "DOI of the collection" };
        var description = new Option<string>("--description") { Description = "Description of the collection" };
        var command = new Command("ingest", "Build a release from folders of DICOM files (see docs/release-format.md)")
        {
            data, release, date, from, collection, baseUrl, extend, strict, license, doi, description,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var directory = new DataDirectory(parse.GetValue(data)!);
            var options = new IngestOptions(parse.GetValue(release)!, parse.GetValue(date)!, parse.GetValue(from)!, parse.GetValue(collection)!)
            {
                BaseUrls = parse.GetValue(baseUrl) ?? [],
                Extend = parse.GetValue(extend),
                Strict = parse.GetValue(strict),
                License = parse.GetValue(license),
                Doi = parse.GetValue(doi),
                Description = parse.GetValue(description),
            };
            var terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            var observer = new ConsoleObserver(error, terminal);
            try
            {
                var report = DicomIngest.Ingest(directory, options, observer, cancellationToken);
                observer.EndProgress();
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"ingested {report.FilesIngested} files: {report.Instances} instances, {report.Series} series, {report.Studies} studies, {report.Patients} patients; skipped {report.Skipped} (see above); duplicates {report.Duplicates}"));
                output.WriteLine($"release {report.Version} written to {directory.Path}");
                return Task.FromResult(report.Skipped + report.Duplicates > 0 ? 2 : 0);
            }
            catch (IngestException e)
            {
                observer.EndProgress();
                error.WriteLine("error: " + e.Message);
                return Task.FromResult(1);
            }
            catch (OperationCanceledException)
            {
                observer.EndProgress();
                error.WriteLine("error: the ingest was cancelled; nothing was written.");
                return Task.FromResult(130);
            }
        });
        return command;
    }

    /// <summary>Problems as <c>path: reason</c> lines; progress as one rewritten line on a terminal, else a plain line every few seconds.</summary>
    private sealed class ConsoleObserver(TextWriter error, bool terminal) : IIngestObserver
    {
        private bool _progressShown;
        private TimeSpan? _lastPlain;

        public void Skipped(string path, string reason)
        {
            EndProgress();
            error.WriteLine($"{path}: {reason}");
        }

        public void Duplicate(string path, string firstPath, string sopInstanceUid)
        {
            EndProgress();
            error.WriteLine($"{path}: duplicate of {firstPath} (SOPInstanceUID {sopInstanceUid}); the first file is kept");
        }

        public void Progress(IngestProgress progress)
        {
            var eta = progress.Remaining is { } remaining ? remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
            var line = string.Create(CultureInfo.InvariantCulture, $"{progress.FilesDone}/{progress.FilesTotal} files, {progress.FilesPerSecond:F0} files/s, ETA {eta}");
            if (terminal)
            {
                error.Write("\r" + line + "   ");
                _progressShown = true;
            }
            else if (progress.FilesDone == progress.FilesTotal || _lastPlain is null || progress.Elapsed - _lastPlain >= TimeSpan.FromSeconds(5))
            {
                _lastPlain = progress.Elapsed;
                error.WriteLine("ingest: " + line);
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
