using System.CommandLine;
using ImagingCommons.Client.Downloads;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// idc-index's <c>idc download</c>: each argument is a manifest file, or identifiers (comma-separated) that the
/// server resolves as collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID or crdc_series_uuid.
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var items = new Argument<string[]>("id") { Description = "A manifest file, or identifiers (collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, crdc_series_uuid; commas allowed)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("download", """
            Download by identifier or manifest: a file argument is a manifest (as download-from-manifest); anything else is looked up on the
            server under collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID and crdc_series_uuid, and every match is downloaded.
            Files go into --download-dir (default: the current folder) in the folders of --dir-template.

            Examples:
              idc download rider_pilot
              idc download TCGA-05-4244,1.3.6.1.4.1.14519.5.2.1.3671.4754.298665348758363466150039312520 --download-dir ./data
              idc download cohort.s5cmd --download-dir ./data
            """) { items };
        var run = new DownloadRun(command, downloadDirRequired: false);
        command.SetAction((parse, cancellationToken) => run.Server.RunAsync(parse, cancellationToken, async (client, output, error) =>
        {
            run.Template(parse);
            var sources = new List<DownloadSource>();
            var problems = new List<string>();
            var ids = new List<string>();
            foreach (var item in parse.GetValue(items)!)
            {
                if (File.Exists(item))
                {
                    var manifest = await DownloadRun.ReadManifestAsync(item, cancellationToken);
                    var (described, manifestProblems) = await DownloadRun.DescribeAsync(client, manifest, validate: true, error, cancellationToken);
                    sources.AddRange(described);
                    problems.AddRange(manifestProblems.Select(p => item + ": " + p));
                }
                else
                {
                    ids.AddRange(DownloadRun.Values([item]));
                }
            }

            if (ids.Count > 0)
            {
                var selected = await new DownloadPlanner(client).SelectIdsAsync([.. ids.Distinct(StringComparer.Ordinal)], cancellationToken);
                sources.AddRange(selected.Sources);
                problems.AddRange(selected.Unmatched.Select(id =>
                    $"{id} is none of collection_id, PatientID, StudyInstanceUID, SeriesInstanceUID, crdc_series_uuid in the server's release, nor a file"));
            }

            if (sources.Count == 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync("error: " + problem);
                }

                await error.WriteLineAsync("error: nothing to download");
                return IdcCommandLine.Failure;
            }

            return await run.ExecuteAsync(parse, sources, problems, output, error, cancellationToken);
        }));
        return command;
    }
}
