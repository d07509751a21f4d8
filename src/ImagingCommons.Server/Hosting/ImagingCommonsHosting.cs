using Microsoft.AspNetCore.Connections;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Accounts;
using ImagingCommons.Server.Apis;
using ImagingCommons.Server.Auth;
using ImagingCommons.Server.Errors;
using ImagingCommons.Server.OpenApi;
using ImagingCommons.Server.Paging;
using ImagingCommons.Server.Portal;
using ImagingCommons.Server.Releases;
using ImagingCommons.Server.Responses;
using ImagingCommons.Server.Routing;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Hosting;

/// <summary>
/// The one way the server is put together, shared by <c>dotnet run --project src/ImagingCommons.Server</c>, <c>idc
/// serve</c> and the tests: <see cref="AddImagingCommons"/> registers every feature, <see cref="MapImagingCommons"/>
/// builds the pipeline and maps every route.
/// </summary>
public static class ImagingCommonsHosting
{
    private const string CorsPolicy = "configured-origins";

    /// <summary>
    /// True while the build runs the app only to write its OpenAPI documents (Microsoft.Extensions.ApiDescription.Server
    /// runs the entry point under GetDocument.Insider): then nothing may touch the data directory.
    /// </summary>
    public static bool IsWritingDocuments { get; } =
        string.Equals(System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, "GetDocument.Insider", StringComparison.Ordinal);

    /// <summary>Registers the server's services; <paramref name="configure"/> adjusts the bound options (tests, <c>idc serve</c>).</summary>
    public static WebApplicationBuilder AddImagingCommons(this WebApplicationBuilder builder, Action<ServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Defaults below every other configuration source: the framework's per-request lines only from Warning up; the
        // host's own "failed to start" stack trace is left out, because RunImagingCommonsAsync says why in one line
        // (our background services catch and log their own failures).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
            },
        });

        // Options: bound from "ImagingCommons", validated before the server starts. Registration decisions (which
        // account store, which token issuers) read the same values once, here.
        var section = builder.Configuration.GetSection(ServerOptions.Section);
        var options = section.Get<ServerOptions>() ?? new ServerOptions();
        configure?.Invoke(options);
        builder.Services.AddOptions<ServerOptions>().Bind(section).Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel => RequestLimits.ConfigureKestrel(kestrel, options.Limits));

        // Releases: the catalog of the data directory, the metadata bodies rendered from it, the watcher for new releases.
        builder.Services.AddReleases(options);

        // Queries: DuckDB over the release files, materialised results, next_page tokens and the 202 job model.
        builder.Services.AddQueries(options);

        // Accounts: users, API keys and saved cohorts (SQLite in the data directory, or PostgreSQL when configured).
        builder.Services.AddAccounts(options);

        // Facets: the portal's counts, from an in-memory index of each release's series table.
        builder.Services.AddFacets();

        // Auth: bearer ID tokens of the configured OIDC issuer or the development issuer, and API keys; identity = verified email.
        builder.Services.AddApiAuthentication(options);

        // Browsers on other origins, when configured.
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(options.Cors.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After")));

        // Wire JSON: the contracts' exact key names, source-generated.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJson.Options.TypeInfoResolver!);
            json.SerializerOptions.Encoder = WireJson.Options.Encoder;
        });

        // OpenAPI: one document per version, with interactive pages at /v1/swagger and /v2/swagger.
        builder.Services.AddApiDocuments();

        // Errors: {"code","message"} bodies, 404 "Method does not exist." for unknown paths and methods, one exception handler.
        builder.Services.AddApiErrors();
        return builder;
    }

    /// <summary>The request pipeline and every route.</summary>
    public static WebApplication MapImagingCommons(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Options are read per request from here on: validating them is the start's job (ValidateOnStart), not the build's.
        app.UseApiErrors();
        app.UseRequestLimits();
        app.UseApiDocuments();
        app.UsePortal();
        app.UseOptionalTrailingSlash();
        app.UseRouting();
        app.UseExactRouteMatching();
        app.UseCors(CorsPolicy);

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
        app.MapV1CohortsApi();
        app.MapV2FiltersApi();
        app.MapV2ManifestApi();
        app.MapV2CohortsApi();
        app.MapUsersApi();
        app.MapAdminApi();
        app.MapFacetsApi();
        app.MapPortalApi();
        app.MapResolveApi();
        app.MapPortal();
        app.MapApiDocuments();
        return app;
    }

    /// <summary>
    /// Runs until shutdown. A start that cannot succeed (bad options, no release, the address in use) ends with one
    /// line on standard error and exit code 1, never a stack trace.
    /// </summary>
    public static async Task<int> RunImagingCommonsAsync(this WebApplication app, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        error ??= Console.Error;
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (StartFailure(exception, app) is { } message)
        {
            await error.WriteLineAsync("error: " + message);
            await app.DisposeAsync();
            return 1;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>The one-line reason a start failed, or null for an unexpected failure (which keeps its stack trace).</summary>
    internal static string? StartFailure(Exception exception, WebApplication app) => exception switch
    {
        ServerStartupException startup => startup.Message,
        OptionsValidationException invalid => string.Join(" ", invalid.Failures),
        IOException { InnerException: AddressInUseException } =>
            $"{Authorities(app)} is in use; choose another address with --urls",
        _ => null,
    };

    private static string Authorities(WebApplication app)
    {
        var urls = app.Configuration["urls"] ?? string.Join(";", app.Urls);
        return string.Join(", ", urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Authority : u));
    }
}
