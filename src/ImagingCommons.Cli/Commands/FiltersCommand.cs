using System.CommandLine;
using System.Text.Json;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc filters [NAME]</c>: the filter keys (GET /v2/filters), or the values of one categorical filter (GET /v2/filters/values/NAME).</summary>
internal static class FiltersCommand
{
    public static Command Create()
    {
        var format = ListFormat.Option();
        var name = new Argument<string?>("name") { Description = "A categorical filter whose values to list (e.g. Modality)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("filters", """
            List the filter keys --filter takes (data_source, name, data_type, units), or with NAME the values of that categorical filter
            (one per line; an empty line is the null value, which a filter spells None).

            Examples:
              idc filters
              idc filters Modality
              idc filters | grep Ranged
            """) { name, format };
        var server = new ServerAccess(command);
        command.SetAction((parse, cancellationToken) => server.RunAsync(parse, cancellationToken, async (client, output, _) =>
        {
            var json = parse.GetValue(format) == "json";
            if (parse.GetValue(name) is { } filter)
            {
                var values = await client.V2.GetFilterValuesAsync(filter, cancellationToken);
                if (json)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new V2FilterValuesResponse(200, values), ContractsJsonContext.Default.V2FilterValuesResponse));
                    return 0;
                }

                foreach (var value in values)
                {
                    await output.WriteLineAsync(Tsv.Line(value));
                }

                return 0;
            }

            var sources = await client.V2.GetFiltersAsync(cancellationToken);
            if (json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new V2FiltersResponse(200, sources), ContractsJsonContext.Default.V2FiltersResponse));
                return 0;
            }

            await output.WriteLineAsync(Tsv.Line("data_source", "name", "data_type", "units"));
            foreach (var source in sources)
            {
                foreach (var f in source.Filters)
                {
                    await output.WriteLineAsync(Tsv.Line(source.DataSource, f.Name, f.DataType, f.Units));
                }
            }

            return 0;
        }));
        return command;
    }
}
