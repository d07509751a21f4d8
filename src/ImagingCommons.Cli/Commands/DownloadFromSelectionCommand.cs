using System.CommandLine;
using ImagingCommons.Client.Downloads;

namespace ImagingCommons.Cli.Commands;

/// <summary>idc-index's <c>idc download-from-selection</c>: the instances of collections, patients, studies or series, as the server lists them.</summary>
internal static class DownloadFromSelectionCommand
{
    public static Command Create()
    {
        Option<string[]> Ids(string name, string what) => new(name) { Description = what + " (repeat, or separate with commas)", AllowMultipleArgumentsPerToken = false, HelpName = "ID" };
        var collections = Ids("--collection-id", "Collection ids");
        var patients = Ids("--patient-id", "PatientID values");
        var studies = Ids("--study-instance-uid", "StudyInstanceUID values");
        var series = Ids("--series-instance-uid", "SeriesInstanceUID values");
        var crdc = Ids("--crdc-series-uuid", "crdc_series_uuid values");
        var command = new Command("download-from-selection", """
            Download the instances of a selection from the server's current release: the most specific of --crdc-series-uuid,
            --series-instance-uid, --study-instance-uid, --patient-id and --collection-id selects (as in idc-index). Sizes and MD5s come from
            the server (instance_hash when it has it, else the store's ETag); every file is verified before it gets its name.

            Examples:
              idc download-from-selection --collection-id rider_pilot --download-dir ./rider
              idc download-from-selection --series-instance-uid 1.3.6.1.4.1.14519.5.2.1.6279.6001.1,1.3.6.1.4.1.14519.5.2.1.6279.6001.2 --download-dir d --dry-run
              idc download-from-selection --patient-id TCGA-05-4244 --download-dir d --dir-template "%PatientID/%Modality_%SeriesInstanceUID"
            """) { collections, patients, studies, series, crdc };
        var run = new DownloadRun(command, downloadDirRequired: true);
        command.SetAction((parse, cancellationToken) => run.Server.RunAsync(parse, cancellationToken, async (client, output, error) =>
        {
            run.Template(parse);
            var selection = new DownloadSelection(
                DownloadRun.Values(parse.GetValue(collections)), DownloadRun.Values(parse.GetValue(patients)), DownloadRun.Values(parse.GetValue(studies)),
                DownloadRun.Values(parse.GetValue(series)), DownloadRun.Values(parse.GetValue(crdc)));
            if (selection.MostSpecific is null)
            {
                throw new UsageException("select something: --collection-id, --patient-id, --study-instance-uid, --series-instance-uid or --crdc-series-uuid.");
            }

            var selected = await new DownloadPlanner(client).SelectAsync(selection, cancellationToken);
            var problems = selected.Unmatched.Select(id => $"{selection.MostSpecific!.Value.Attribute} {id} is not in the server's release").ToList();
            if (selected.Sources.Count == 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync("error: " + problem);
                }

                await error.WriteLineAsync("error: the selection has no instances");
                return IdcCommandLine.Failure;
            }

            return await run.ExecuteAsync(parse, selected.Sources, problems, output, error, cancellationToken);
        }));
        return command;
    }
}
