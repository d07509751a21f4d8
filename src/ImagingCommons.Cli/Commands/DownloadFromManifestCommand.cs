using System.CommandLine;

namespace ImagingCommons.Cli.Commands;

/// <summary>idc-index's <c>idc download-from-manifest</c>: the objects of an s5cmd manifest or of a manifest of ours, verified and resumable.</summary>
internal static class DownloadFromManifestCommand
{
    public static Command Create()
    {
        var manifest = new Option<string>("--manifest-file") { Description = "The manifest: s5cmd (cp s3://bucket/<crdc_series_uuid>/* . lines) or idc manifest's json, ndjson, csv, tsv, parquet", Required = true, HelpName = "FILE" };
        var validate = new Option<bool>("--validate-manifest")
        {
            Description = "Refuse the whole manifest (download nothing) when a line names nothing fetchable or a series the server does not know; "
                + "false: download what can be, unknown series into folders named by their crdc_series_uuid",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("download-from-manifest", """
            Download every object a manifest names into --download-dir, in the folders of --dir-template. s5cmd lines are listed in the store
            (--endpoint) and their series looked up on the server (folders, sizes and MD5s); a manifest of ours carries them. Each file is written
            to FILE.part, finished with a ranged GET when interrupted, and renamed only once its size and MD5 are checked; a rerun skips complete files.

            Examples:
              idc download-from-manifest --manifest-file cohort.s5cmd --download-dir ./data
              idc download-from-manifest --manifest-file luad.json --download-dir ./luad --dir-template "%collection_id/%SeriesInstanceUID"
              idc download-from-manifest --manifest-file m.s5cmd --download-dir d --endpoint http://127.0.0.1:9000 --validate-manifest false
            """) { manifest, validate };
        var run = new DownloadRun(command, downloadDirRequired: true);
        command.SetAction((parse, cancellationToken) => run.Server.RunAsync(parse, cancellationToken, async (client, output, error) =>
        {
            run.Template(parse);
            var read = await DownloadRun.ReadManifestAsync(parse.GetValue(manifest)!, cancellationToken);
            var check = parse.GetValue(validate);
            var (sources, problems) = await DownloadRun.DescribeAsync(client, read, check, error, cancellationToken);
            if (check && problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await error.WriteLineAsync("error: " + problem);
                }

                await error.WriteLineAsync($"the manifest did not validate: nothing was downloaded ({problems.Count} problems; --validate-manifest false downloads the rest)");
                return IdcCommandLine.Failure;
            }

            if (sources.Count == 0)
            {
                await error.WriteLineAsync("error: the manifest names nothing to download");
                return IdcCommandLine.Failure;
            }

            return await run.ExecuteAsync(parse, sources, problems, output, error, cancellationToken);
        }));
        return command;
    }
}
