using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Synthetic;
using ImagingCommons.Server.Accounts;
using ImagingCommons.Server.Apis;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Errors;
using ImagingCommons.Server.OpenApi;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Portal;
using ImagingCommons.Server.Releases;
using ImagingCommons.Server.Routing;

namespace ImagingCommons.Server;

/// <summary>Builds the web application; shared by <c>dotnet run</c>, <c>idc serve</c> and the tests.</summary>
public static class ImagingCommonsServer
{
    /// <exception cref="ServerStartupException">the configuration or the data directory does not allow serving.</exception>
    public static WebApplication Build(string[] args, Action<ServerOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            throw new ServerStartupException($"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)} is empty; name the data directory to serve.");
        }

        builder.Services.AddSingleton(options);

        // Releases: the catalog of the data directory, the metadata bodies rendered from it, the watcher for new releases.
        builder.Services.AddReleases(options);

        // Queries: DuckDB over the release files, materialised results, next_page tokens and the 202 job model.
        builder.Services.AddQueries(options);

        // Accounts: users, API keys and saved cohorts (SQLite in the data directory, or PostgreSQL when configured).
        builder.Services.AddAccounts(options);

        // Facets: the portal's counts, from each release's series table copied into a DuckDB database of their own.
        builder.Services.AddFacets();

        // Auth: bearer ID tokens of the configured OIDC issuer or the development issuer, and API keys; identity = verified email.
        builder.Services.AddApiAuthentication(options);

        // Wire JSON: the spec's exact key names, source-generated.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJsonContext.Default));

        // OpenAPI: one document per version, with interactive pages at /v1/swagger and /v2/swagger.
        builder.Services.AddApiDocuments();

        // Errors: {"code","message"} bodies, 404 "Method does not exist." for unknown paths and methods, one exception handler.
        builder.Services.AddApiErrors();

        var app = builder.Build();
        app.LoadReleases();
        app.MigrateAccounts();
        app.WarmUpQueries();
        app.WarmUpFacets();

        app.UseApiErrors();
        app.UseApiDocuments();
        app.UsePortal();
        app.UseOptionalTrailingSlash();
        app.UseRouting();
        app.UseExactRouteMatching();
        app.UseApiAuthentication();

        app.MapHealthApi();
        app.MapAboutApi();
        app.MapVersionsApi();
        app.MapCollectionsApi();
        app.MapAnalysisResultsApi();
        app.MapV1AttributesApi();
        app.MapV1PreviewApi();
        app.MapV1CohortObjectsApi();
        app.MapV1DicomMetadataApi();
        app.MapV2FiltersApi();
        app.MapV2ManifestApi();
        app.MapV1CohortsApi();
        app.MapV2CohortsApi();
        app.MapUsersApi();
        app.MapAdminApi();
        app.MapFacetsApi();
        app.MapPortalApi();
        app.MapPortal();
        app.MapApiDocuments();
        return app;
    }

    /// <summary>
    /// Called when the data directory holds no release and <see cref="ServerOptions.GenerateDefaultRelease"/> is on:
    /// writes the small seeded default release (23.0 and 24.0, a few thousand series) so that the server runs with
    /// nothing set up. It takes seconds and happens once; nothing is downloaded.
    /// </summary>
    public static void EnsureDefaultRelease(DataDirectory data, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(logger);
        logger.LogInformation(
            "The data directory {DataDirectory} holds no release: generating the default release (scale {Scale}, seed 1)",
            data.Path, ReleaseGenerator.DefaultScale);
        var report = ReleaseGenerator.Generate(data, new GeneratorOptions(ReleaseGenerator.DefaultScale, 1));
        logger.LogInformation(
            "Generated releases {Releases} in {Seconds:F1} s ({Megabytes:F0} MB)",
            string.Join(", ", report.ReleasesWritten), report.Elapsed.TotalSeconds, report.Bytes / 1e6);
    }
}
