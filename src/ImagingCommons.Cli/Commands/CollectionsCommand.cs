using System.CommandLine;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc collections</c>: the collections of the current release, or of a held one (GET /v2/collections).</summary>
internal static class CollectionsCommand
{
    public static Command Create()
    {
        var format = ListFormat.Option();
        var release = new Option<string>("--release") { Description = "A release the server holds (default: the current one)", HelpName = "VERSION" };
        var command = new Command("collections", """
            List the collections of the release the server serves (or of --release), sorted by id.
            Output (tsv): collection_id, subject_count, cancer_type, image_types, location, species, date_updated; json has every field.

            Examples:
              idc collections
              idc collections --release 23.0 --format json
            """) { format, release };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var collections = await client.V2.GetCollectionsAsync(parse.GetValue(release), cancellationToken);
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new V2CollectionsResponse(200, collections), ContractsJsonContext.Default.V2CollectionsResponse));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("collection_id", "subject_count", "cancer_type", "image_types", "location", "species", "date_updated"));
            foreach (var c in collections)
            {
                await output.WriteLineAsync(Tsv.Line(c.CollectionId, c.SubjectCount, c.CancerType, c.ImageTypes, c.Location, c.Species, c.DateUpdated));
            }

            return 0;
        }));
        return command;
    }
}
