using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;

using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>v2 /filters, /filters/values/{filter} and /fields/{version} (spec §7.5-7.7).</summary>
internal static class V2FiltersApi
{
    /// <summary>The original capped value lists at 5000.</summary>
    public const int MaxValues = 5000;

    private static readonly SourceTable[] SourceOrder = [SourceTable.Biospecimen, SourceTable.Clinical, SourceTable.DicomPivot];

    public static IEndpointRouteBuilder MapV2FiltersApi(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2").WithTags("v2 metadata");
        v2.MapGet("/filters", Filters).WithName("v2Filters").WithSummary("Filter attributes per data source").Produces<FiltersShape>();
        v2.MapGet("/filters/values/{filter}", FilterValues).WithName("v2FilterValues").WithSummary("Values of a categorical filter in the current release").OkOrBadRequest<FilterValuesShape>();
        v2.MapGet("/fields", NoVersion).WithName("v2FieldsNoVersion").ExcludeFromDescription();
        v2.MapGet("/fields/{version}", Fields).WithName("v2Fields").WithSummary("Manifest fields of a data version").OkOrBadRequest<FieldsShape>();
        return routes;
    }

    /// <summary>Every /filters entry: ranged attributes appear only in their nine suffixed forms.</summary>
    public static IEnumerable<(SourceTable Table, string Name, FilterAttribute Attribute)> Entries() =>
        SourceOrder.SelectMany(table => ApiCatalog.V2Filters
            .Where(a => a.Table == table)
            .OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .SelectMany(a => a.IsRanged
                ? ApiCatalog.V2Suffixes.Select(s => (table, a.Name + "_" + s, a))
                : [(table, a.Name, a)]));

    public static IResult Filters(ReleaseCatalog catalog, ResponseCache cache)
    {
        var release = catalog.CurrentRelease!;
        return cache.GetOrAdd("v2-filters:" + release, () => RenderFilters(release));
    }

    private static JsonBody RenderFilters(string release)
    {
        var sources = new JsonArray();
        foreach (var group in Entries().GroupBy(e => e.Table))
        {
            var filters = new JsonArray();
            foreach (var (_, name, attribute) in group)
            {
                filters.Add(new JsonObject { ["name"] = name, ["data_type"] = attribute.DataTypeName, ["units"] = null });
            }

            sources.Add(new JsonObject { ["data_source"] = V1AttributesApi.SourceName(group.Key, release), ["filters"] = filters });
        }

        return JsonBody.Ok(new JsonObject { ["code"] = 200, ["data_sources"] = sources });
    }

    public static async Task<IResult> FilterValues(string filter, ReleaseCatalog catalog, QueryEngine engine, ResponseCache cache, CancellationToken cancellationToken)
    {
        var match = Entries().FirstOrDefault(e => string.Equals(e.Name, filter, StringComparison.OrdinalIgnoreCase));
        if (match.Attribute is null)
        {
            return JsonBody.BadRequest("Invalid filter ID");
        }

        if (match.Attribute.Kind is not (AttributeKind.CategoricalString or AttributeKind.CategoricalNumber))
        {
            return JsonBody.BadRequest($"Filter data type is {match.Attribute.DataTypeName} not Categorical String or Categorical Number");
        }

        // The values only change with the release: read them once per release and attribute.
        var release = catalog.CurrentRelease!;
        return await cache.GetOrAddAsync($"v2-filter-values:{release}:{match.Attribute.Name}", async () =>
        {
            var values = await engine.DistinctValuesAsync(release, match.Attribute.EvaluatedIn, match.Attribute.Name, MaxValues, cancellationToken);
            return JsonBody.Ok(new JsonObject { ["code"] = 200, ["values"] = new JsonArray(values.Select(v => (JsonNode?)(v is null ? null : JsonValue.Create(v))).ToArray()) });
        });
    }

    public static IResult NoVersion() => JsonBody.BadRequest("No version was provided");

    /// <summary>
    /// Every version of /versions answers; this server keeps one field list, so older versions get today's list
    /// under their own table names (documented in docs/decisions.md).
    /// </summary>
    public static IResult Fields(string version, ReleaseCatalog catalog, ResponseCache cache)
    {
        var current = catalog.CurrentRelease!;
        string resolved;
        if (version == "current")
        {
            resolved = current;
        }
        else if (catalog.Versions.Any(v => v.IdcDataVersion == version))
        {
            resolved = version;
        }
        else
        {
            return JsonBody.BadRequest($"Supplied idc_data_version '{version}' is invalid. Query the /versions endpoint for defined versions.");
        }

        return cache.GetOrAdd("v2-fields:" + resolved, () => RenderFields(resolved));
    }

    private static JsonBody RenderFields(string resolved)
    {
        var sources = new JsonArray();
        foreach (var table in SourceOrder)
        {
            var fields = ApiCatalog.V2Fields.Where(f => f.Table == table).Select(f => f.Name).Order(StringComparer.OrdinalIgnoreCase);
            sources.Add(new JsonObject
            {
                ["data_source"] = V1AttributesApi.SourceName(table, resolved),
                ["fields"] = new JsonArray(fields.Select(f => (JsonNode)JsonValue.Create(f)).ToArray()),
            });
        }

        return JsonBody.Ok(new JsonObject { ["code"] = 200, ["idc_data_version"] = resolved, ["data_sources"] = sources });
    }
}
