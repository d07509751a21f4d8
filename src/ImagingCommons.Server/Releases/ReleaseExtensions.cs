using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Apis;
using ImagingCommons.Server.Hosting;

namespace ImagingCommons.Server.Releases;

internal static class ReleaseExtensions
{
    /// <summary>
    /// The release catalog of the configured data directory, the metadata bodies rendered from it, its bootstrap
    /// before the server listens, and the watcher for releases published while it runs.
    /// </summary>
    public static IServiceCollection AddReleases(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(new ReleaseCatalog(new DataDirectory(options.DataDirectory)));
        services.AddSingleton<MetadataResponses>();
        if (ImagingCommonsHosting.IsWritingDocuments)
        {
            return services;
        }

        services.AddHostedService<ReleaseBootstrap>();
        if (options.ReleaseCheckInterval > TimeSpan.Zero)
        {
            services.AddHostedService<ReleaseWatcher>();
        }

        return services;
    }
}
