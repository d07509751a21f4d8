using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Server.Paging;

internal static class QueryExtensions
{
    /// <summary>The query engine over the data directory, the job runner, the token codec and the paging service.</summary>
    public static IServiceCollection AddQueries(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new QueryEngine(sp.GetRequiredService<ReleaseCatalog>().Data));
        services.AddSingleton(sp => new QueryJobs(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => string.IsNullOrWhiteSpace(options.PageTokenKey)
            ? PageTokenCodec.ForDataDirectory(sp.GetRequiredService<ReleaseCatalog>().Data, sp.GetRequiredService<TimeProvider>())
            : PageTokenCodec.FromBase64Key(options.PageTokenKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PagedQueries>();
        services.AddSingleton<Apis.ResponseCache>();
        return services;
    }
}
