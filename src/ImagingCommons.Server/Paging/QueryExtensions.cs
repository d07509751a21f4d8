using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Paging;

internal static class QueryExtensions
{
    /// <summary>
    /// The query engine over the data directory (options from <c>ImagingCommons:Query</c>, checked at start), the token
    /// codec and the paging service.
    /// </summary>
    public static IServiceCollection AddQueries(this IServiceCollection services, ServerOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddOptions<QueryOptions>()
            .BindConfiguration(QueryOptions.Section)
            .PostConfigure(query => ApplyAliases(query, options))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueryOptions>, QueryOptionsValidator>();
        services.AddSingleton(sp => new QueryEngine(
            sp.GetRequiredService<ReleaseCatalog>().Data,
            sp.GetRequiredService<IOptions<QueryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueryEngine>>()));
        services.AddSingleton<IQueryEngine>(sp => sp.GetRequiredService<QueryEngine>());
        services.AddSingleton(sp => string.IsNullOrWhiteSpace(options.PageTokenKey)
            ? PageTokenCodec.ForDataDirectory(sp.GetRequiredService<ReleaseCatalog>().Data, sp.GetRequiredService<TimeProvider>())
            : PageTokenCodec.FromBase64Key(options.PageTokenKey, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PagedQueries>();
        services.AddSingleton<Apis.ResponseCache>();
        return services;
    }

    /// <summary>
    /// The earlier spellings, <c>ImagingCommons:QueryDeadlineMs</c> (also <c>idc serve --query-deadline-ms</c>) and
    /// <c>ImagingCommons:MaxPageSize</c>, win over <c>ImagingCommons:Query:Deadline</c> and <c>:MaxPageSize</c> when
    /// given, so that the command line overrides configuration files.
    /// </summary>
    internal static void ApplyAliases(QueryOptions query, ServerOptions options)
    {
        if (options.QueryDeadlineMs is { } milliseconds)
        {
            // As before: a negative number of milliseconds meant no wait.
            query.Deadline = TimeSpan.FromMilliseconds(Math.Max(0, milliseconds));
        }

        if (options.MaxPageSize is { } maxPageSize)
        {
            query.MaxPageSize = maxPageSize;
        }
    }

    /// <summary>
    /// Starts building the current release's series table in the background, so that series-level queries read it
    /// (about fifty times fewer rows) as soon as it is ready; until then they read the instance table.
    /// </summary>
    /// <exception cref="ServerStartupException">The query options are invalid.</exception>
    public static WebApplication WarmUpQueries(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<ReleaseCatalog>();
        QueryEngine engine;
        try
        {
            engine = app.Services.GetRequiredService<QueryEngine>();
        }
        catch (OptionsValidationException exception)
        {
            throw new ServerStartupException(string.Join(" ", exception.Failures));
        }

        if (catalog.CurrentRelease is { } release)
        {
            var started = TimeProvider.System.GetTimestamp();
            engine.WarmUpAsync(release, app.Lifetime.ApplicationStopping).ContinueWith(
                task =>
                {
                    if (task.IsFaulted)
                    {
                        app.Logger.LogWarning(task.Exception, "The series table of release {Release} could not be built; queries read the instance table", release);
                    }
                    else if (task.IsCompletedSuccessfully)
                    {
                        app.Logger.LogInformation("Series table of release {Release} ready after {Seconds:F1} s", release, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
                    }
                },
                TaskScheduler.Default);
        }

        return app;
    }
}

/// <summary>Checks <see cref="QueryOptions"/> at start (each failure names its key).</summary>
internal sealed class QueryOptionsValidator : IValidateOptions<QueryOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
