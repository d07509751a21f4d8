using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace ImagingCommons.Server.OpenApi;

/// <summary>
/// One OpenAPI document per API version, one for our own extensions (/api/…), and the interactive pages at
/// /v1/swagger, /v2/swagger and /api/swagger.
/// </summary>
internal static class ApiDocumentExtensions
{
    private static readonly string[] Versions = ["v1", "v2"];

    private const string BearerScheme = "bearer";

    /// <summary>The document of the routes that are ours, not IDC's (the portal's facets, settings and held-release previews).</summary>
    private const string Extensions = "api";

    private static readonly (string Name, string Description, bool Integer)[] ManifestColumns =
    [
        ("Collection_ID", "Include collection_id", false),
        ("Patient_ID", "Include PatientID", false),
        ("StudyInstanceUID", "Include StudyInstanceUID", false),
        ("SeriesInstanceUID", "Include SeriesInstanceUID", false),
        ("SOPInstanceUID", "Include SOPInstanceUID", false),
        ("Source_DOI", "Include source_DOI", false),
        ("CRDC_Study_GUID", "Include the study's crdc UUID as a dg.4DFC/ GUID", false),
        ("CRDC_Series_GUID", "Include the series' crdc UUID as a dg.4DFC/ GUID", false),
        ("CRDC_Instance_GUID", "Include the instance's crdc UUID as a dg.4DFC/ GUID", false),
        ("GCS_URL", "Include the instance's gs:// URL", false),
    ];

    private static readonly (string Name, string Description, bool Integer) Sql = ("sql", "\"True\" to include the SQL that produced the result", false);
    private static readonly (string Name, string Description, bool Integer) PageSize = ("page_size", "Rows per page (default 1000; larger values than the server's maximum give short pages)", true);
    private static readonly (string Name, string Description, bool Integer) NextPage = ("next_page", "The token of the previous page (or of a 202 answer)", false);
    private static readonly (string Name, string Description, bool Integer) SameRouteNextPageParameter =
        ("next_page", "The token of the previous page: continues that listing on this route (other parameters and the body are then ignored)", false);

    /// <summary>Query parameters of routes that read them from the raw query string (exact names matter there).</summary>
    private static readonly Dictionary<string, (string Name, string Description, bool Integer)[]> QueryParameters = new()
    {
        ["v1ManifestPreview"] = [.. ManifestColumns, Sql, PageSize],
        ["v1ManifestNextPage"] = [NextPage, PageSize],
        ["v1QueryPreview"] = [Sql, PageSize],
        ["v1QueryNextPage"] = [NextPage, PageSize],
        ["v1DicomMetadata"] = [PageSize],
        ["v1DicomMetadataNextPage"] = [NextPage, PageSize],
        ["v1Attributes"] = [("data_source", "Restrict the answer to one data source", false)],
        ["GetV1Collections"] = [("idc_data_version", "A release this server holds (any other value: the current one)", false)],
        ["GetV2Collections"] = [("idc_data_version", "A release this server holds (any other value: the current one)", false)],
        ["GetV1AnalysisResults"] = [("idc_data_version", "Accepted and ignored (the current version is served)", false)],
        ["v2ManifestPreviewNextPage"] = [NextPage, PageSize],
        ["v1CohortPreview"] =
        [
            ("return_level", "Collection, Patient, Study, Series (default) or Instance (case-sensitive): the deepest level of the tree", false),
            Sql,
            ("page_size", "Leaves per page (an integer of at least 1, default 1000; larger values than the server's maximum give short pages)", true),
            ("next_page", "The token of the previous page (or of a 202 answer); the body is then ignored", false),
            ("email", "Accepted for old clients and ignored", false),
        ],
        ["v1CohortObjects"] =
        [
            ("return_level", "Collection, Patient, Study, Series (default) or Instance (case-sensitive): the deepest level of the tree", false),
            Sql,
            ("page_size", "Leaves per page (an integer of at least 1, default 1000)", true),
            ("next_page", "The token of the previous page (or of a 202 answer)", false),
        ],
        ["v1CohortManifest"] = [.. ManifestColumns, Sql, PageSize],
        ["v1CohortQuery"] = [Sql, PageSize],
        ["v1PreviewManifest"] = [.. ManifestColumns, Sql, PageSize, SameRouteNextPageParameter],
        ["v1PreviewQuery"] = [Sql, PageSize, SameRouteNextPageParameter],
        ["v1CohortIdManifest"] = [.. ManifestColumns, Sql, PageSize, SameRouteNextPageParameter],
        ["v1CohortIdQuery"] = [Sql, PageSize, SameRouteNextPageParameter],
        ["v2CohortManifestNextPage"] = [NextPage, PageSize],
        ["manifestPreviewNextPage"] = [NextPage, PageSize],
    };

    /// <summary>Routes that take next_page on the same route as the first page: there the token is optional.</summary>
    private static readonly HashSet<string> SameRouteNextPage = ["v1CohortPreview", "v1CohortObjects", "v1PreviewManifest", "v1PreviewQuery", "v1CohortIdManifest", "v1CohortIdQuery"];

    public static IServiceCollection AddApiDocuments(this IServiceCollection services)
    {
        foreach (var version in Versions)
        {
            services.AddOpenApi(version, options =>
            {
                options.ShouldInclude = description => description.RelativePath?.StartsWith(version + "/", StringComparison.Ordinal) == true;
                options.AddDocumentTransformer((document, _, _) =>
                {
                    // No servers list: the served document equals the one written at build time (docs/openapi/), and
                    // clients resolve the routes against wherever they fetched it from.
                    document.Servers = [];
                    document.Info = new OpenApiInfo
                    {
                        Title = $"ImagingCommons: NCI Imaging Data Commons API {version}",
                        Version = version,
                        Description = "A self-hosted implementation of the IDC REST API. Errors are {\"code\",\"message\"} bodies; "
                            + "paged routes return next_page tokens (\"\" after the last page) and answer 202 with a token when a query outlives its deadline. "
                            + "Routes marked with a lock need 'Authorization: Bearer <token>': an ID token of the configured issuer, or an API key.",
                    };
                    document.Components ??= new OpenApiComponents();
                    document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                    document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "An ID token (JWT) of the configured OpenID Connect issuer, a development-issuer token, or an API key (ick_…).",
                    };
                    return Task.CompletedTask;
                });
                options.AddSchemaTransformer(ContractSchemas.TransformAsync);
                options.AddOperationTransformer((operation, context, _) =>
                {
                    if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                    {
                        operation.Security ??= [];
                        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    }

                    if (operation.OperationId is { } id && QueryParameters.TryGetValue(id, out var parameters))
                    {
                        operation.Parameters ??= [];
                        foreach (var (name, description, integer) in parameters)
                        {
                            operation.Parameters.Add(new OpenApiParameter
                            {
                                Name = name,
                                In = ParameterLocation.Query,
                                Required = name == "next_page" && !SameRouteNextPage.Contains(id),
                                Description = description,
                                Schema = new OpenApiSchema { Type = integer ? JsonSchemaType.Integer : JsonSchemaType.String },
                            });
                        }
                    }

                    return Task.CompletedTask;
                });
            });
        }

        services.AddOpenApi(Extensions, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith(Extensions + "/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Servers = [];
                document.Info = new OpenApiInfo
                {
                    Title = "ImagingCommons extensions",
                    Version = "v1",
                    Description = "Routes of ours beside IDC's v1 and v2 APIs, behind the portal page at / and the idc command line: facet counts, the server's settings, "
                        + "manifest previews on any held release, and identifier resolution for idc download. Filters are v2 filter sets with v2's rules. "
                        + "Errors are problem details (RFC 9457).",
                };
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(ContractSchemas.TransformAsync);
            options.AddOperationTransformer((operation, _, _) =>
            {
                if (operation.OperationId is { } id && QueryParameters.TryGetValue(id, out var parameters))
                {
                    operation.Parameters ??= [];
                    foreach (var (name, description, integer) in parameters)
                    {
                        operation.Parameters.Add(new OpenApiParameter
                        {
                            Name = name,
                            In = ParameterLocation.Query,
                            Required = name == "next_page",
                            Description = description,
                            Schema = new OpenApiSchema { Type = integer ? JsonSchemaType.Integer : JsonSchemaType.String },
                        });
                    }
                }

                return Task.CompletedTask;
            });
        });

        return services;
    }

    /// <summary>/v1/openapi.json, /v2/openapi.json, /api/openapi.json, and Swagger UI pages over them (assets served from the package).</summary>
    public static WebApplication UseApiDocuments(this WebApplication app)
    {
        foreach (var version in Versions)
        {
            app.UseSwaggerUI(ui =>
            {
                ui.RoutePrefix = version + "/swagger";
                ui.DocumentTitle = $"ImagingCommons IDC API {version}";
                ui.SwaggerEndpoint($"/{version}/openapi.json", $"IDC API {version}");
            });
        }

        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = Extensions + "/swagger";
            ui.DocumentTitle = "ImagingCommons extensions";
            ui.SwaggerEndpoint($"/{Extensions}/openapi.json", "ImagingCommons extensions");
        });

        return app;
    }

    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        app.MapOpenApi("/{documentName}/openapi.json");
        return app;
    }
}
