using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Apis;

namespace ImagingCommons.Server.Releases;

internal static class ReleaseExtensions
{
    /// <summary>The release catalog of the configured data directory, the metadata bodies rendered from it, and its watcher.</summary>
    public static IServiceCollection AddReleases(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(new ReleaseCatalog(new DataDirectory(options.DataDirectory)));
        services.AddSingleton<MetadataResponses>();
        if (options.ReleaseCheckInterval > TimeSpan.Zero)
        {
            services.AddHostedService<ReleaseWatcher>();
        }

        return services;
    }

    /// <summary>
    /// Reads the data directory before the server listens, so that a missing or unreadable release stops the start
    /// with a clear message instead of failing requests.
    /// </summary>
    public static WebApplication LoadReleases(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        var catalog = app.Services.GetRequiredService<ReleaseCatalog>();
        catalog.Refresh();
        if (catalog.CurrentRelease is null)
        {
            if (!options.GenerateDefaultRelease)
            {
                throw new ServerStartupException(
                    $"The data directory {catalog.Data.Path} holds no release, and generating the default release is off "
                    + $"({ServerOptions.Section}:{nameof(ServerOptions.GenerateDefaultRelease)}=false). "
                    + "Import or generate a release into it, or point the server at a data directory that holds one.");
            }

            ImagingCommonsServer.EnsureDefaultRelease(catalog.Data, app.Logger);
            catalog.Refresh();
            if (catalog.CurrentRelease is null)
            {
                throw new ServerStartupException($"The data directory {catalog.Data.Path} still holds no release after generating the default one.");
            }
        }

        // Render the bodies now: the first request should not pay for it.
        _ = app.Services.GetRequiredService<MetadataResponses>().Current;
        app.Logger.LogInformation(
            "Serving release {Release} of {DataDirectory} ({Held} held)", catalog.CurrentRelease, catalog.Data.Path, catalog.HeldReleases.Length);
        return app;
    }
}
