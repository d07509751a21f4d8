using System.CommandLine;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc versions</c>: the IDC data versions the server knows (GET /v2/versions).</summary>
internal static class VersionsCommand
{
    public static Command Create()
    {
        var format = ListFormat.Option();
        var command = new Command("versions", """
            List the IDC data versions the server knows; the active one is the release it serves.
            Output (tsv): idc_data_version, date_active, active.

            Examples:
              idc versions
              idc versions --server http://idc.example.org:5000 --format json
            """) { format };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var versions = await client.V2.GetVersionsAsync(cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new VersionsResponse(200, versions), ContractsJsonContext.Default.VersionsResponse));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("idc_data_version", "date_active", "active"));
            foreach (var version in versions)
            {
                await output.WriteLineAsync(Tsv.Line(version.IdcDataVersion, version.DateActive, version.Active ? "true" : "false"));
            }

            return 0;
        }));
        return command;
    }
}
