using System.CommandLine;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc fields</c>: the manifest fields (GET /v2/fields/{version}).</summary>
internal static class FieldsCommand
{
    public static Command Create()
    {
        var format = ListFormat.Option();
        var release = new Option<string>("--release") { Description = "A version from idc versions (default: current)", HelpName = "VERSION", DefaultValueFactory = _ => "current" };
        var command = new Command("fields", """
            List the fields idc manifest --fields takes, per data source (data_source, field).

            Examples:
              idc fields
              idc fields --release 23.0 --format json
            """) { format, release };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var fields = await client.V2.GetFieldsAsync(parse.GetValue(release)!, cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(fields, ContractsJsonContext.Default.V2FieldsResponse));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("data_source", "field"));
            foreach (var source in fields.DataSources)
            {
                foreach (var field in source.Fields)
                {
                    await output.WriteLineAsync(Tsv.Line(source.DataSource, field));
                }
            }

            return 0;
        }));
        return command;
    }
}
