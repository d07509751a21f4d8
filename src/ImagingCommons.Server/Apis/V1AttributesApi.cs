using System.Text.Json.Nodes;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;

using ImagingCommons.Server.OpenApi;

namespace ImagingCommons.Server.Apis;

/// <summary>v1 /attributes (spec §6.5): the filterable attributes per data source.</summary>
internal static class V1AttributesApi
{
    public static IEndpointRouteBuilder MapV1AttributesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/attributes", Attributes).WithTags("v1 metadata").WithName("v1Attributes").WithSummary("Filterable attributes per data source").OkOrBadRequest<AttributesShape>();
        return routes;
    }

    /// <summary>BigQuery-style names of the three sources, as the original reported them.</summary>
    public static string SourceName(SourceTable table, string release) => table switch
    {
        SourceTable.DicomPivot => $"bigquery-public-data.idc_v{release.Split('.')[0]}.dicom_pivot",
        SourceTable.Clinical => "bigquery-public-data.idc_v4.tcga_clinical_rel9",
        _ => "bigquery-public-data.idc_v4.tcga_biospecimen_rel9",
    };

    public static IResult Attributes(HttpRequest request, ReleaseCatalog catalog, ResponseCache cache)
    {
        if (V1Arguments.FirstUnexpected(request, "data_source") is { } unexpected)
        {
            return JsonBody.BadRequest("Invalid argument " + unexpected);
        }

        var release = catalog.CurrentRelease!;
        var requested = RequestInput.Query(request, "data_source");
        var tables = new[] { SourceTable.DicomPivot, SourceTable.Clinical, SourceTable.Biospecimen };
        if (requested is not null)
        {
            tables = tables.Where(t => SourceName(t, release) == requested).ToArray();
            if (tables.Length == 0)
            {
                return JsonBody.BadRequest($"The  data source, {requested}, is not part of the specified version {release}");
            }
        }

        return cache.GetOrAdd($"v1-attributes:{release}:{requested}", () => Render(release, tables));
    }

    private static JsonBody Render(string release, SourceTable[] tables)
    {
        var sources = new JsonArray();
        foreach (var table in tables)
        {
            var attributes = new JsonArray();
            foreach (var attribute in ApiCatalog.V1Filters.Where(a => a.Table == table))
            {
                if (attribute.IsRanged)
                {
                    attributes.Add(Attribute(attribute.Name, "Continuous Numeric"));
                    foreach (var suffix in ApiCatalog.V1Suffixes)
                    {
                        attributes.Add(Attribute(attribute.Name + "_" + suffix, "Continuous Numeric"));
                    }
                }
                else
                {
                    var v2 = ApiCatalog.V2Filters.FirstOrDefault(f => f.Name == attribute.Name);
                    attributes.Add(Attribute(attribute.Name, v2?.DataTypeName ?? "Categorical String"));
                }
            }

            sources.Add(new JsonObject { ["data_source"] = SourceName(table, release), ["attributes"] = attributes });
        }

        return JsonBody.Ok(new JsonObject { ["code"] = 200, ["idc_data_version"] = release, ["data_sources"] = sources });
    }

    private static JsonObject Attribute(string name, string dataType) => new()
    {
        ["name"] = name,
        ["data_type"] = dataType,
        ["active"] = true,
        ["units"] = null,
    };
}
