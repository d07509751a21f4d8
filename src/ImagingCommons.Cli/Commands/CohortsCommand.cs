using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc cohorts list|create|delete|show</c>: the caller's saved cohorts (v2 routes; needs an API key).</summary>
internal static class CohortsCommand
{
    public static Command Create() => new("cohorts", """
        Saved cohorts of the API key's user (idc keys create issues one). A cohort is pinned to the release current when it was saved.

        Examples:
          idc cohorts list --api-key $KEY
          idc cohorts create --name lung-ct --filter collection_id=tcga_luad --filter Modality=CT
          idc cohorts show 42
          idc cohorts delete 42 43
        """)
    {
        List(),
        CreateCohort(),
        Delete(),
        Show(),
    };

    private static Command List()
    {
        var format = ListFormat.Option();
        var command = new Command("list", """
            List your saved cohorts. Output (tsv): cohort_id, name, idc_data_version, description, filters (JSON).

            Examples:
              idc cohorts list
              idc cohorts list --format json
            """) { format };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var cohorts = await client.Cohorts.ListAsync(cancellationToken: cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new CohortListResponse(200, cohorts), ContractsJsonContext.Default.CohortListResponse));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("cohort_id", "name", "idc_data_version", "description", "filters"));
            foreach (var c in cohorts)
            {
                await output.WriteLineAsync(Tsv.Line(c.CohortId, c.Name, c.FilterSet.IdcDataVersion, c.Description, c.FilterSet.Filters.ToString()));
            }

            return 0;
        }));
        return command;
    }

    private static Command CreateCohort()
    {
        var name = new Option<string>("--name") { Description = "The cohort's name", Required = true };
        var description = new Option<string>("--description") { Description = "Its description" };
        var command = new Command("create", """
            Save a filter set as a cohort on the current release; prints its id.

            Examples:
              idc cohorts create --name lung-ct --filter collection_id=tcga_luad --filter Modality=CT
              idc cohorts create --name elderly --filters-file filters.json --description "65 to 75"
            """) { name, description };
        var filters = new FilterOptions(command);
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, error) =>
        {
            var set = await filters.ReadAsync(parse, client, cancellationToken);
            var saved = await client.Cohorts.CreateAsync(new V2CohortDefinition(parse.GetValue(name), parse.GetValue(description) ?? "", set), cancellationToken);
            await output.WriteLineAsync(saved.CohortId.ToString(CultureInfo.InvariantCulture));
            await error.WriteLineAsync($"saved cohort {saved.CohortId} ('{saved.Name}') on release {saved.FilterSet.IdcDataVersion}");
            return 0;
        }));
        return command;
    }

    private static Command Delete()
    {
        var ids = new Argument<long[]>("id") { Description = "Cohort ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", """
            Delete saved cohorts. Output (tsv): cohort_id, outcome. Exit code 1 when any id was not deleted.

            Examples:
              idc cohorts delete 42
              idc cohorts delete 42 43 44
            """) { ids };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var outcomes = await client.Cohorts.DeleteAsync(parse.GetValue(ids)!, cancellationToken: cancellationToken);
            var failed = false;
            foreach (var outcome in outcomes)
            {
                failed |= outcome.Result.Notes is null;
                await output.WriteLineAsync(Tsv.Line(outcome.CohortId.ToString(CultureInfo.InvariantCulture), outcome.Result.Notes ?? outcome.Result.Message));
            }

            return failed ? IdcCommandLine.Failure : 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<long>("id") { Description = "The cohort's id" };
        var format = ListFormat.Option();
        var command = new Command("show", """
            Show a saved cohort: its definition and what it selects on its release (counts and bytes).

            Examples:
              idc cohorts show 42
              idc cohorts show 42 --format json
            """) { id, format };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var wanted = parse.GetValue(id);
            var cohort = (await client.Cohorts.ListAsync(cancellationToken: cancellationToken)).FirstOrDefault(c => c.CohortId == wanted);
            if (cohort is null)
            {
                throw new UsageException($"you have no cohort {wanted} (idc cohorts list shows yours).");
            }

            ResultRow? totals = null;
            await foreach (var row in client.Cohorts.GetManifest(wanted, new V2ManifestRequest([], Counts: true, GroupSize: true), cancellationToken))
            {
                totals = row;
            }

            var counts = new (string Name, long Value)[]
            {
                ("collections", totals?.GetInt64("collection_count") ?? 0),
                ("patients", totals?.GetInt64("patient_count") ?? 0),
                ("studies", totals?.GetInt64("study_count") ?? 0),
                ("series", totals?.GetInt64("series_count") ?? 0),
                ("instances", totals?.GetInt64("instance_count") ?? 0),
                ("bytes", totals?.GetInt64("group_size") ?? 0),
            };
            if (parse.GetValue(format) == "json")
            {
                using var buffer = new MemoryStream();
                await using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteNumber("cohort_id", cohort.CohortId);
                    json.WriteString("name", cohort.Name);
                    json.WriteString("description", cohort.Description);
                    json.WriteString("idc_data_version", cohort.FilterSet.IdcDataVersion);
                    json.WritePropertyName("filters");
                    JsonSerializer.Serialize(json, cohort.FilterSet.Filters, ContractsJsonContext.Default.Filters);
                    foreach (var (name, value) in counts)
                    {
                        json.WriteNumber(name, value);
                    }

                    json.WriteEndObject();
                }

                await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("cohort_id", cohort.CohortId));
            await output.WriteLineAsync(Tsv.Line("name", cohort.Name));
            await output.WriteLineAsync(Tsv.Line("description", cohort.Description));
            await output.WriteLineAsync(Tsv.Line("idc_data_version", cohort.FilterSet.IdcDataVersion));
            await output.WriteLineAsync(Tsv.Line("filters", cohort.FilterSet.Filters.ToString()));
            foreach (var (name, value) in counts)
            {
                await output.WriteLineAsync(Tsv.Line(name, value));
            }

            return 0;
        }));
        return command;
    }
}
