using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

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
        v2.MapGet("/filters", Filters).WithName("v2Filters").WithSummary("Filter attributes per data source");
        v2.MapGet("/filters/values/{filter}", FilterValues).WithName("v2FilterValues").WithSummary("Values of a categorical filter in the current release");
        v2.MapGet("/fields", NoVersion).WithName("v2FieldsNoVersion").ExcludeFromDescription();
        v2.MapGet("/fields/{version}", Fields).WithName("v2Fields").WithSummary("Manifest fields of a data version");
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

    public static PrecomputedJson<V2FiltersResponse> Filters(ReleaseCatalog catalog, ResponseCache cache)
    {
        var release = catalog.CurrentRelease!;
        return cache.GetOrAdd("v2-filters:" + release, () => new V2FiltersResponse(
            StatusCodes.Status200OK,
            [.. Entries().GroupBy(e => e.Table).Select(group => new V2FilterSource(
                DataSources.Name(group.Key, release),
                [.. group.Select(e => new V2Filter(e.Name, e.Attribute.DataTypeName, null))]))]));
    }

    public static async Task<Results<PrecomputedJson<V2FilterValuesResponse>, WireError>> FilterValues(
        string filter, ReleaseCatalog catalog, QueryEngine engine, ResponseCache cache, CancellationToken cancellationToken)
    {
        var match = Entries().FirstOrDefault(e => string.Equals(e.Name, filter, StringComparison.OrdinalIgnoreCase));
        if (match.Attribute is null)
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidFilterId);
        }

        if (match.Attribute.Kind is not (AttributeKind.CategoricalString or AttributeKind.CategoricalNumber))
        {
            return Wire.BadRequest(ErrorTexts.V2NotCategorical(match.Attribute.DataTypeName));
        }

        // The values only change with the release: read them once per release and attribute.
        var release = catalog.CurrentRelease!;
        return await cache.GetOrAddAsync($"v2-filter-values:{release}:{match.Attribute.Name}", async () =>
            new V2FilterValuesResponse(
                StatusCodes.Status200OK,
                await engine.DistinctValuesAsync(release, match.Attribute.EvaluatedIn, match.Attribute.Name, MaxValues, cancellationToken)));
    }

    public static WireError NoVersion() => Wire.BadRequest(ErrorTexts.V2NoVersion);

    /// <summary>
    /// Every version of /versions answers; this server keeps one field list, so older versions get today's list
    /// under their own table names (documented in docs/api-decisions.md).
    /// </summary>
    public static Results<PrecomputedJson<V2FieldsResponse>, WireError> Fields(string version, ReleaseCatalog catalog, ResponseCache cache)
    {
        string resolved;
        if (version == "current")
        {
            resolved = catalog.CurrentRelease!;
        }
        else if (catalog.Versions.Any(v => v.IdcDataVersion == version))
        {
            resolved = version;
        }
        else
        {
            return Wire.BadRequest(ErrorTexts.V2InvalidVersion(version));
        }

        return cache.GetOrAdd("v2-fields:" + resolved, () => new V2FieldsResponse(
            StatusCodes.Status200OK,
            resolved,
            [.. SourceOrder.Select(table => new V2FieldSource(
                DataSources.Name(table, resolved),
                [.. ApiCatalog.V2Fields.Where(f => f.Table == table).Select(f => f.Name).Order(StringComparer.OrdinalIgnoreCase)]))]));
    }
}
