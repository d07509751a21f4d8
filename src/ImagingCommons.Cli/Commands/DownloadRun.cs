using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Client;
using ImagingCommons.Client.Downloads;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// The options and the run that idc-index's three download verbs share: where files go (<c>--download-dir</c>,
/// <c>--dir-template</c>), idc-index's switches (<c>--dry-run</c>, <c>--quiet</c>, <c>--show-progress-bar</c>, and
/// <c>--use-s5cmd-sync</c> and <c>--log-level</c>, accepted for compatibility), and ours (<c>--endpoint</c>,
/// <c>--parallel</c>). Exit codes: 0 every file there and verified; 1 something failed or was unknown; 3 a file did
/// not verify; 130 cancelled.
/// </summary>
internal sealed class DownloadRun
{
    public Option<string> DownloadDir { get; }

    private readonly Option<string> _template = new("--dir-template")
    {
        Description = "Folders of the download: %collection_id, %PatientID, %StudyInstanceUID, %Modality, %SeriesInstanceUID (and %crdc_series_uuid) "
            + "joined by '-', '_' or '/'; \"\" puts every file straight into --download-dir",
        DefaultValueFactory = _ => DirectoryTemplate.DefaultText,
        HelpName = "TEMPLATE",
    };

    private readonly Option<string> _endpoint = new("--endpoint")
    {
        Description = "The S3-compatible store (path-style for anything but AWS); default the public AWS endpoint " + S3DownloadOptions.AwsEndpoint,
        HelpName = "URL",
    };

    private readonly Option<int> _parallel = new("--parallel") { Description = "Files fetched at once", DefaultValueFactory = _ => 8 };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Print what would be fetched (url, file, bytes) and its total size; fetch nothing" };
    private readonly Option<bool> _quiet = new("--quiet") { Description = "Only the summary and the failures on standard error" };
    private readonly Option<bool> _bar = new("--show-progress-bar") { Description = "Show the progress display on a terminal", DefaultValueFactory = _ => true };
    private readonly Option<bool> _sync = new("--use-s5cmd-sync") { Description = "Accepted for idc-index scripts: complete files are never fetched again anyway" };
    private readonly Option<string> _logLevel = new Option<string>("--log-level") { Description = "Accepted for idc-index scripts (debug, info, warning, error, critical)" }
        .AcceptOnlyFromAmong("debug", "info", "warning", "error", "critical", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL");

    public DownloadRun(Command command, bool downloadDirRequired, bool idcIndexSwitches = true)
    {
        DownloadDir = new Option<string>("--download-dir")
        {
            Description = downloadDirRequired ? "The folder to download into (made when missing)" : "The folder to download into (default: the current folder)",
            Required = downloadDirRequired,
            HelpName = "DIR",
        };
        command.Options.Add(DownloadDir);
        command.Options.Add(_template);
        command.Options.Add(_logLevel);
        if (idcIndexSwitches)
        {
            command.Options.Add(_dryRun);
            command.Options.Add(_quiet);
            command.Options.Add(_bar);
            command.Options.Add(_sync);
        }

        command.Options.Add(_endpoint);
        command.Options.Add(_parallel);
        Server = new ServerAccess(command);
    }

    public ServerAccess Server { get; }

    public bool Quiet(ParseResult parse) => parse.GetValue(_quiet);

    public DirectoryTemplate Template(ParseResult parse)
    {
        try
        {
            return DirectoryTemplate.Parse(parse.GetValue(_template) ?? DirectoryTemplate.DefaultText);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Plans, then fetches (or with --dry-run prints) the sources; every failure is reported together at the end.</summary>
    public async Task<int> ExecuteAsync(ParseResult parse, IReadOnlyList<DownloadSource> sources, IReadOnlyList<string> problems, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = parse.GetValue(DownloadDir) ?? Directory.GetCurrentDirectory();
        var template = Template(parse);
        var parallel = parse.GetValue(_parallel);
        if (parallel < 1)
        {
            throw new UsageException("--parallel takes a number of at least 1.");
        }

        Uri? endpoint = null;
        if (parse.GetValue(_endpoint) is { } text && (!Uri.TryCreate(text, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--endpoint '{text}' is not an http(s) URL.");
        }

        var quiet = parse.GetValue(_quiet);
        var clock = Stopwatch.StartNew();
        using var downloader = new S3Downloader(new S3DownloadOptions { Endpoint = endpoint, Parallel = parallel });
        var plan = await downloader.PlanAsync(sources, root, template, cancellationToken);
        if (parse.GetValue(_dryRun))
        {
            foreach (var file in plan.ToFetch)
            {
                await output.WriteLineAsync(Tsv.Line(file.Url, file.Path, file.Size));
            }

            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dry run: {plan.ToFetch.Count()} files to fetch ({Sizes.Human(plan.BytesToFetch)}), {plan.Files.Count(f => f.Complete)} already complete; total {plan.Files.Count} files, {Sizes.Human(plan.TotalBytes)}"));
            foreach (var problem in problems.Concat(plan.Failures.Select(f => $"{f.Url}: {f.Message}")))
            {
                await error.WriteLineAsync("error: " + problem);
            }

            return problems.Count > 0 || plan.Failures.Count > 0 ? IdcCommandLine.Failure : IdcCommandLine.Done;
        }

        Directory.CreateDirectory(root);
        var report = await DownloadProgress.RunAsync(error, quiet, parse.GetValue(_bar), progress => downloader.DownloadAsync(plan, progress, cancellationToken));
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"downloaded {report.Downloaded} files ({Sizes.Human(report.BytesReceived)}) in {clock.Elapsed.TotalSeconds:0.#} s into {Path.GetFullPath(root)}; "
            + $"{report.Skipped} already complete; {report.Md5Verified} verified by MD5, {report.Downloaded - report.Md5Verified} by size; {report.Failures.Count + problems.Count} failed"));
        if (problems.Count + report.Failures.Count > 0)
        {
            await error.WriteLineAsync("failures:");
            foreach (var problem in problems)
            {
                await error.WriteLineAsync("  " + problem);
            }

            foreach (var failure in report.Failures)
            {
                await error.WriteLineAsync($"  {(failure.Kind == DownloadFailureKind.Verification ? "did not verify" : "not fetched")}: {failure.Url}: {failure.Message}");
            }
        }

        return report.VerificationFailed ? IdcCommandLine.VerificationFailed
            : report.Failures.Count + problems.Count > 0 ? IdcCommandLine.Failure
            : IdcCommandLine.Done;
    }

    /// <summary>A manifest file: Parquet through DuckDB, the rest through the client's reader.</summary>
    public static async Task<Manifest> ReadManifestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"the manifest {path} does not exist.");
        }

        try
        {
            if (!string.Equals(Path.GetExtension(path), ".parquet", StringComparison.OrdinalIgnoreCase))
            {
                return await ManifestFile.ReadAsync(path, cancellationToken);
            }

            var rows = new List<IReadOnlyDictionary<string, string?>>();
            using var connection = new DuckDBConnection("DataSource=:memory:");
            await connection.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''", StringComparison.Ordinal)}')";
            using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
                }

                rows.Add(row);
            }

            return ManifestFile.FromRows(rows);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or DuckDBException)
        {
            throw new UsageException($"cannot read the manifest {path}: {e.Message}");
        }
    }

    /// <summary>Values of repeatable options, each of which may also be a comma-separated list (as idc-index splits them).</summary>
    public static IReadOnlyList<string> Values(string[]? given) =>
        [.. (given ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    /// <summary>Series of s5cmd lines (no attributes) described by the server; unknown ones are problems.</summary>
    public static async Task<(IReadOnlyList<DownloadSource> Sources, List<string> Problems)> DescribeAsync(
        ImagingCommonsClient client, Manifest manifest, bool validate, TextWriter error, CancellationToken cancellationToken)
    {
        var problems = manifest.Problems.Select(p => $"{p.Origin}: {p.Reason}: {p.Text}").ToList();
        IReadOnlyList<DownloadSource> sources = manifest.Sources;
        if (sources.Any(s => s.Series is null))
        {
            try
            {
                var described = await new DownloadPlanner(client).DescribeAsync(sources, cancellationToken);
                sources = described.Sources;
                foreach (var unknown in described.Unmatched)
                {
                    var message = $"series {unknown} is not in the server's release";
                    if (validate)
                    {
                        problems.Add(message);
                    }
                    else
                    {
                        await error.WriteLineAsync($"warning: {message}; downloading it into a folder named {unknown}");
                    }
                }
            }
            catch (HttpRequestException e) when (!validate)
            {
                await error.WriteLineAsync($"warning: the server cannot describe the manifest's series ({e.Message}); they go into folders named by crdc_series_uuid");
            }
        }

        return (sources, problems);
    }
}
