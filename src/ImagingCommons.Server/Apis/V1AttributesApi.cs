using ImagingCommons.Contracts;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Requests;
using ImagingCommons.Server.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ImagingCommons.Server.Apis;

/// <summary>v1 /attributes (spec §6.5): the filterable attributes per data source.</summary>
internal static class V1AttributesApi
{
    private static readonly SourceTable[] Tables = [SourceTable.DicomPivot, SourceTable.Clinical, SourceTable.Biospecimen];

    public static IEndpointRouteBuilder MapV1AttributesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/attributes", Attributes).WithTags("v1 metadata").WithName("v1Attributes").WithSummary("Filterable attributes per data source");
        return routes;
    }

    public static Results<PrecomputedJson<V1AttributesResponse>, WireError> Attributes(HttpRequest request, ReleaseCatalog catalog, ResponseCache cache)
    {
        if (V1Arguments.FirstUnexpected(request, "data_source") is { } unexpected)
        {
            return Wire.BadRequest(ErrorTexts.V1InvalidArgument(unexpected));
        }

        var release = catalog.CurrentRelease!;
        var requested = RequestInput.Query(request, "data_source");
        var tables = requested is null ? Tables : [.. Tables.Where(t => DataSources.Name(t, release) == requested)];
        if (tables.Length == 0)
        {
            return Wire.BadRequest(ErrorTexts.V1UnknownDataSource(requested!, release));
        }

        return cache.GetOrAdd($"v1-attributes:{release}:{requested}", () => Render(release, tables));
    }

    private static V1AttributesResponse Render(string release, SourceTable[] tables) => new(
        StatusCodes.Status200OK,
        release,
        [.. tables.Select(table => new V1AttributeSource(DataSources.Name(table, release), [.. AttributesOf(table)]))]);

    private static IEnumerable<V1Attribute> AttributesOf(SourceTable table)
    {
        foreach (var attribute in ApiCatalog.V1Filters.Where(a => a.Table == table))
        {
            if (attribute.IsRanged)
            {
                yield return new V1Attribute(attribute.Name, "Continuous Numeric", true, null);
                foreach (var suffix in ApiCatalog.V1Suffixes)
                {
                    yield return new V1Attribute(attribute.Name + "_" + suffix, "Continuous Numeric", true, null);
                }
            }
            else
            {
                var v2 = ApiCatalog.V2Filters.FirstOrDefault(f => f.Name == attribute.Name);
                yield return new V1Attribute(attribute.Name, v2?.DataTypeName ?? "Categorical String", true, null);
            }
        }
    }
}
