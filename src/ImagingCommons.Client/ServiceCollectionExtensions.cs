using ImagingCommons.Client;
using ImagingCommons.Client.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ImagingCommonsClient"/> as a typed HTTP client.</summary>
public static class ImagingCommonsClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ImagingCommonsClient"/> (transient, over the HTTP client factory) with the same retries as a
    /// client built from a URL. <paramref name="configure"/> sets at least <see cref="ImagingCommonsClientOptions.BaseAddress"/>.
    /// </summary>
    /// <returns>The HTTP client's builder, to add handlers of the caller's.</returns>
    public static IHttpClientBuilder AddImagingCommonsClient(this IServiceCollection services, Action<ImagingCommonsClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ImagingCommonsClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "ImagingCommonsClientOptions.BaseAddress must be an absolute URL (http://host:port).");
        var builder = services.AddHttpClient<ImagingCommonsClient, ImagingCommonsClient>(Create);
        builder.AddResilienceHandler("imagingcommons", (pipeline, context) =>
            ClientPipeline.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<ImagingCommonsClientOptions>>().Value));
        return builder;
    }

    private static ImagingCommonsClient Create(HttpClient http, IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<ImagingCommonsClientOptions>>().Value;
        http.BaseAddress = options.BaseAddress;
        http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        return new ImagingCommonsClient(http, options);
    }
}
