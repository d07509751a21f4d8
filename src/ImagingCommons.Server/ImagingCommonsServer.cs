using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Accounts;
using ImagingCommons.Server.Apis;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Errors;
using ImagingCommons.Server.OpenApi;
using ImagingCommons.Server.Paging;
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

        app.UseApiErrors();
        app.UseApiDocuments();
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
        app.MapV1DicomMetadataApi();
        app.MapV2FiltersApi();
        app.MapV2ManifestApi();
        app.MapV1CohortsApi();
        app.MapV2CohortsApi();
        app.MapUsersApi();
        app.MapAdminApi();
        app.MapApiDocuments();
        return app;
    }

    /// <summary>
    /// Called when the data directory holds no release and <see cref="ServerOptions.GenerateDefaultRelease"/> is on:
    /// the place where the seeded generator will write the small default release. Until it is wired, it stops the start.
    /// </summary>
    /// <exception cref="ServerStartupException">no generator is available yet.</exception>
    public static void EnsureDefaultRelease(DataDirectory data, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(logger);
        logger.LogError("The data directory {DataDirectory} holds no release and no default-release generator is available", data.Path);
        throw new ServerStartupException(
            $"The data directory {data.Path} holds no release, and this build cannot generate the default one yet. "
            + "Import a release into it, or point the server at a data directory that holds one "
            + $"({ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)}, or idc serve --data).");
    }
}
