using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Query;
using ImagingCommons.Data.Releases;
using ImagingCommons.Server.Hosting;
using ImagingCommons.Server.Responses;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImagingCommons.Server.Paging;

internal static class QueryExtensions
{
    /// <summary>
    /// The query engine over the data directory (its options bound from <c>ImagingCommons:Query</c> and checked at start),
    /// answering manifests of counts alone from the facet index when <see cref="FacetEngine"/> is registered,
    /// the token codec, the paging service, and the warm-up of the current release's series table in the background.
    /// </summary>
    public static IServiceCollection AddQueries(this IServiceCollection services, ServerOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddOptions<QueryOptions>()
            .BindConfiguration(QueryOptions.Section)
            .PostConfigure<IOptions<ServerOptions>>((query, server) => ApplyAliases(query, server.Value))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueryOptions>, QueryOptionsValidator>();
        services.AddSingleton(sp => new QueryEngine(
            sp.GetRequiredService<ReleaseCatalog>().Data,
            sp.GetRequiredService<IOptions<QueryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueryEngine>>(),
            // The facet index answers manifests of counts alone in milliseconds.
            sp.GetService<FacetEngine>()));
        services.AddSingleton<IQueryEngine>(sp => sp.GetRequiredService<QueryEngine>());
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

    /// <summary>
    /// The earlier spellings, <c>ImagingCommons:QueryDeadlineMs</c> (also <c>idc serve --query-deadline-ms</c>) and
    /// <c>ImagingCommons:MaxPageSize</c>, win over <c>ImagingCommons:Query:Deadline</c> and <c>:MaxPageSize</c> when
    /// given, so that the command line overrides configuration files.
    /// </summary>
    internal static void ApplyAliases(QueryOptions query, ServerOptions options)
    {
        if (options.QueryDeadlineMs is { } milliseconds)
        {
            query.Deadline = TimeSpan.FromMilliseconds(milliseconds);
        }

        if (options.MaxPageSize is { } maxPageSize)
        {
            query.MaxPageSize = maxPageSize;
        }
    }
}

/// <summary>Checks <see cref="QueryOptions"/> at start (each failure names its key).</summary>
internal sealed class QueryOptionsValidator : IValidateOptions<QueryOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
