using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImagingCommons.Client;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// A v2 filter set from the command line: repeatable <c>--filter 'Modality=CT,MR'</c> and
/// <c>--filter 'age_at_diagnosis_btw=65,75'</c> (values typed by the server's /v2/filters: numbers for ranged and
/// categorical-number filters), after the filters of <c>--filters-file F.json</c>.
/// </summary>
internal sealed partial class FilterOptions
{
    private readonly Option<string[]> _filter = new("--filter")
    {
        Description = "KEY=VALUE[,VALUE…]: a v2 filter (keys as idc filters lists them); repeat for more (keys AND, values OR). A value with a comma: use --filters-file",
        HelpName = "KEY=VALUES",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string> _file = new("--filters-file")
    {
        Description = "A JSON file of v2 filters: {\"Modality\": [\"CT\"], \"age_at_diagnosis_btw\": [65, 75]} (or a cohort definition with \"filters\")",
        HelpName = "FILE",
    };

    public FilterOptions(Command command)
    {
        command.Options.Add(_filter);
        command.Options.Add(_file);
    }

    public bool Given(ParseResult parse) => parse.GetValue(_filter) is { Length: > 0 } || parse.GetValue(_file) is not null;

    public async Task<Filters> ReadAsync(ParseResult parse, ImagingCommonsClient client, CancellationToken cancellationToken)
    {
        var filters = new Filters();
        if (parse.GetValue(_file) is { } path)
        {
            foreach (var (key, values) in await ReadFileAsync(path, cancellationToken))
            {
                filters[key] = values;
            }
        }

        var given = parse.GetValue(_filter) ?? [];
        if (given.Length == 0)
        {
            return filters;
        }

        var known = (await client.V2.GetFiltersAsync(cancellationToken)).SelectMany(s => s.Filters)
            .GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (var text in given)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == text.Length - 1)
            {
                throw new UsageException($"--filter '{text}' is not KEY=VALUE[,VALUE…] (e.g. --filter Modality=CT,MR).");
            }

            var key = text[..equals].Trim();
            if (!known.TryGetValue(key, out var filter))
            {
                var close = known.Keys.Where(k => Suggestions.Distance(k.ToLowerInvariant(), key.ToLowerInvariant()) <= Math.Max(1, k.Length / 3)).Order(StringComparer.Ordinal).Take(3).ToList();
                throw new UsageException($"{key} is not a filter of this server" + (close.Count > 0 ? $"; did you mean {string.Join(" or ", close)}?" : " (idc filters lists them)."));
            }

            var numeric = filter.DataType is "Ranged Integer" or "Ranged Number" or "Categorical Number";
            filters[filter.Name] = [.. text[(equals + 1)..].Split(',').Select(v => v.Trim()).Select(v => numeric ? Number(filter.Name, v) : FilterValue.String(v))];
        }

        return filters;
    }

    /// <summary>A number as typed when it is a JSON number (65 stays 65), else in its shortest round-trip form.</summary>
    private static FilterValue Number(string key, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new UsageException($"{key} takes numbers; '{value}' is not one.");
        }

        return JsonNumber().IsMatch(value) ? FilterValue.Number(value) : FilterValue.Number(number);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex JsonNumber();

    private static async Task<Filters> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("cohort_def", out var definition))
            {
                root = definition;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("filters", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                root = inner;
            }

            return root.Deserialize(ContractsJsonContext.Default.Filters) ?? new Filters();
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path} is not a JSON object of filters ({{\"Modality\": [\"CT\"]}}): {e.Message}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
    }
}
