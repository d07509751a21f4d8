using System.CommandLine;
using ImagingCommons.Cli.Manifests;
using ImagingCommons.Client;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// <c>idc manifest</c>: the manifest of a filter set (v2 preview, current release) or of a saved cohort (on its own
/// release), every page, in JSON, NDJSON, CSV, TSV, Parquet or s5cmd.
/// </summary>
internal static class ManifestCommand
{
    /// <summary>A series-level manifest that download-from-manifest can fetch and lay out with the default directory template.</summary>
    public static readonly string[] DefaultFields = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "Modality", "crdc_series_uuid", "aws_bucket"];

    public static Command Create()
    {
        var cohort = new Option<long?>("--cohort") { Description = "A saved cohort's id (needs --api-key): its manifest on the release it is pinned to", HelpName = "ID" };
        var fields = new Option<string>("--fields")
        {
            Description = "Comma-separated v2 manifest fields (idc fields lists them); default: " + string.Join(",", DefaultFields),
            HelpName = "FIELDS",
        };
        var format = new Option<string>("--format") { Description = "json, ndjson, csv, tsv, parquet or s5cmd (default: from --output's extension, else json)" }
            .AcceptOnlyFromAmong(ManifestFormats.All);
        var outputFile = new Option<string>("--output") { Description = "Write to FILE instead of standard output (parquet needs one)", HelpName = "FILE" };
        var release = new Option<string>("--release") { Description = "The release of a filter-set manifest: any the server holds (default: the current one; a saved cohort keeps its own)", HelpName = "VERSION" };
        var counts = new Option<bool>("--counts") { Description = "Add the granularity's count columns (instance_count, …)" };
        var groupSize = new Option<bool>("--group-size") { Description = "Add group_size, the bytes of each row's instances" };
        var pageSize = new Option<int>("--page-size") { Description = "Rows per request (the server caps it)", DefaultValueFactory = _ => 5000 };
        var command = new Command("manifest", """
            Write the manifest of a filter set (current release) or of a saved cohort, every page of it, as json (an array of row objects),
            ndjson, csv, tsv, parquet or s5cmd (IDC's "cp s3://bucket/<crdc_series_uuid>/* ." lines, one per series). The default fields make a
            series manifest that idc download-from-manifest fetches and lays out in idc-index's folders.

            Examples:
              idc manifest --filter collection_id=tcga_luad --filter Modality=CT > luad-ct.json
              idc manifest --filter Modality=MR --fields SeriesInstanceUID,aws_url,instance_size --format csv --output mr.csv
              idc manifest --filter collection_id=nlst --format s5cmd --output nlst.s5cmd
              idc manifest --cohort 42 --api-key $KEY --format parquet --output cohort42.parquet
              idc manifest --filter Modality=CT --release 23.0 --format csv > ct-v23.csv
            """) { cohort, fields, format, outputFile, release, counts, groupSize, pageSize };
        var filters = new FilterOptions(command);
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, stdout, error) =>
        {
            var path = parse.GetValue(outputFile);
            var chosen = parse.GetValue(format) ?? (path is null ? null : ManifestFormats.FromPath(path)) ?? "json";
            if (chosen == "parquet" && path is null)
            {
                throw new UsageException("--format parquet writes a file: give --output FILE.parquet.");
            }

            var cohortId = parse.GetValue(cohort);
            if (cohortId is not null && filters.Given(parse))
            {
                throw new UsageException("--cohort takes its filters from the saved cohort; leave out --filter and --filters-file.");
            }

            if (cohortId is not null && parse.GetValue(release) is not null)
            {
                throw new UsageException("a saved cohort is pinned to the release it was saved on; leave out --release.");
            }

            var selected = chosen == "s5cmd"
                ? ["crdc_series_uuid", "aws_url"]
                : (parse.GetValue(fields)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? DefaultFields);
            var withCounts = parse.GetValue(counts) && chosen != "s5cmd";
            var withSize = parse.GetValue(groupSize) && chosen != "s5cmd";
            var size = parse.GetValue(pageSize);

            IAsyncEnumerable<ResultRow> rows;
            if (cohortId is { } id)
            {
                rows = client.Cohorts.GetManifest(id, new V2ManifestRequest(selected, withCounts, withSize, PageSize: size), cancellationToken);
            }
            else if (parse.GetValue(release) is { } pinned && !await IsCurrentAsync(client, pinned, cancellationToken))
            {
                // IDC's v2 preview computes on the current release only; this server's extension route previews any release it holds.
                var set = await filters.ReadAsync(parse, client, cancellationToken);
                rows = client.Extensions.GetManifestPreview(new ManifestPreviewRequest(selected, set, pinned, withCounts, withSize, size), cancellationToken);
            }
            else
            {
                var set = await filters.ReadAsync(parse, client, cancellationToken);
                rows = client.V2.GetManifestPreview(new V2ManifestPreviewRequest(new V2CohortDefinition("idc manifest", "", set), selected, withCounts, withSize, PageSize: size), cancellationToken);
            }

            await using var file = path is null || chosen == "parquet" ? null : new StreamWriter(path + ".part", append: false, new System.Text.UTF8Encoding(false));
            var written = await WriteAsync(rows, chosen, file ?? stdout, path, selected, cancellationToken);
            if (file is not null)
            {
                await file.DisposeAsync();
                File.Move(path + ".part", path!, overwrite: true);
            }

            await error.WriteLineAsync($"{written} {(chosen == "s5cmd" ? "series" : "rows")}{(path is null ? "" : " written to " + path)}");
            return 0;
        }));
        return command;
    }

    private static async Task<long> WriteAsync(IAsyncEnumerable<ResultRow> rows, string format, TextWriter text, string? path, IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        await using var writer = ManifestWriter.Create(format, text, path, path is null ? "manifest.s5cmd" : Path.GetFileName(path));
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(row, cancellationToken);
        }

        await writer.CompleteAsync(fields, cancellationToken);
        return writer.Rows;
    }

    private static async Task<bool> IsCurrentAsync(ImagingCommonsClient client, string release, CancellationToken cancellationToken) =>
        (await client.V2.GetVersionsAsync(cancellationToken)).FirstOrDefault(v => v.Active)?.IdcDataVersion == release;
}
