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

    /// <summary>
    /// Starts building the current release's series table in the background, so that series-level queries read it
    /// (about fifty times fewer rows) as soon as it is ready; until then they read the instance table.
    /// </summary>
    public static WebApplication WarmUpQueries(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<ReleaseCatalog>();
        var engine = app.Services.GetRequiredService<QueryEngine>();
        if (catalog.CurrentRelease is { } release)
        {
            var started = DateTime.UtcNow;
            engine.WarmUpAsync(release).ContinueWith(
                task =>
                {
                    if (task.IsFaulted)
                    {
                        app.Logger.LogWarning(task.Exception, "The series table of release {Release} could not be built; queries read the instance table", release);
                    }
                    else
                    {
                        app.Logger.LogInformation("Series table of release {Release} ready after {Seconds:F1} s", release, (DateTime.UtcNow - started).TotalSeconds);
                    }
                },
                TaskScheduler.Default);
        }

        return app;
    }
}
