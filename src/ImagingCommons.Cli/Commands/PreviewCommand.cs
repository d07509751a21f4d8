using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc preview</c>: what a filter set selects: counts of collections, patients, studies, series, instances, and their bytes.</summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var format = ListFormat.Option();
        var command = new Command("preview", """
            Count what a filter set selects in the current release: collections, patients, studies, series, instances and bytes
            (a v2 manifest preview with counts and group_size). Output (tsv): one "name<TAB>number" line each.

            Examples:
              idc preview --filter Modality=CT,MR --filter collection_id=tcga_luad
              idc preview --filter age_at_diagnosis_btw=65,75 --format json
              idc preview --filters-file cohort.json
            """) { format };
        var filters = new FilterOptions(command);
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, error) =>
        {
            var set = await filters.ReadAsync(parse, client, cancellationToken);
            var request = new V2ManifestPreviewRequest(new V2CohortDefinition("idc preview", "", set), [], Counts: true, GroupSize: true);
            ResultRow? row = null;
            await foreach (var r in client.V2.GetManifestPreview(request, cancellationToken))
            {
                row = r;
            }

            var counts = new (string Name, long Value)[]
            {
                ("collections", row?.GetInt64("collection_count") ?? 0),
                ("patients", row?.GetInt64("patient_count") ?? 0),
                ("studies", row?.GetInt64("study_count") ?? 0),
                ("series", row?.GetInt64("series_count") ?? 0),
                ("instances", row?.GetInt64("instance_count") ?? 0),
                ("bytes", row?.GetInt64("group_size") ?? 0),
            };
            if (parse.GetValue(format) == "json")
            {
                using var buffer = new MemoryStream();
                await using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    foreach (var (name, value) in counts)
                    {
                        json.WriteNumber(name, value);
                    }

                    json.WriteEndObject();
                }

                await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                foreach (var (name, value) in counts)
                {
                    await output.WriteLineAsync(Tsv.Line(name, value));
                }
            }

            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{counts[3].Value} series, {counts[4].Value} instances, {Sizes.Human(counts[5].Value)}"));
            return 0;
        }));
        return command;
    }
}

/// <summary>Byte counts for people (decimal units, as s5cmd and idc-index print them).</summary>
internal static class Sizes
{
    public static string Human(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {units[unit]}");
    }
}
