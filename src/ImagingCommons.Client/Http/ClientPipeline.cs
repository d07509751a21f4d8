using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace ImagingCommons.Client.Http;

/// <summary>
/// The resilience pipeline of the clients this library builds: retries with exponential backoff and jitter for
/// connection errors, timeouts, 5xx, 408 and 429 (waiting what <c>Retry-After</c> asks for), and a timeout per attempt.
/// Requests marked <see cref="NoRetry"/> (saving a cohort, which is not idempotent) are sent once.
/// </summary>
internal static class ClientPipeline
{
    /// <summary>Set on a request that must not be sent twice.</summary>
    public static readonly HttpRequestOptionsKey<bool> NoRetry = new("ImagingCommons.NoRetry");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ImagingCommonsClientOptions options)
    {
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args)),
                OnRetry = args =>
                {
                    options.OnRetry?.Invoke(new RetryNotice(
                        args.AttemptNumber, args.RetryDelay, args.Outcome.Result is { } response ? (int)response.StatusCode : null, args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout });
    }

    /// <summary>A handler chain over sockets with the pipeline, for a client built from a base URL.</summary>
    public static HttpMessageHandler CreateHandler(ImagingCommonsClientOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider };
        Configure(builder, options);
        return new ResilienceHandler(builder.Build())
        {
            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All },
        };
    }

    private static bool ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        if (args.Context.GetRequestMessage() is { } request && request.Options.TryGetValue(NoRetry, out var once) && once)
        {
            return false;
        }

        if (args.Outcome.Exception is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return HttpClientResiliencePredicates.IsTransient(args.Outcome);
    }
}
