using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Hosting;
using ImagingCommons.Server.Responses;

namespace ImagingCommons.Server.Paging;

internal static class QueryExtensions
{
    /// <summary>
    /// The query engine over the data directory, the job runner, the token codec, the paging service, and the warm-up
    /// of the current release's series table in the background.
    /// </summary>
    public static IServiceCollection AddQueries(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(sp => new QueryEngine(sp.GetRequiredService<ReleaseCatalog>().Data));
        services.AddSingleton(sp => new QueryJobs(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => string.IsNullOrWhiteSpace(options.PageTokenKey)
            ? PageTokenCodec.ForDataDirectory(sp.GetRequiredService<ReleaseCatalog>().Data, sp.GetRequiredService<TimeProvider>())
            : PageTokenCodec.FromBase64Key(options.PageTokenKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PagedQueries>();
        services.AddSingleton<ResponseCache>();
        if (!ImagingCommonsHosting.IsWritingDocuments)
        {
            services.AddHostedService<QueryWarmUp>();
        }

        return services;
    }
}
