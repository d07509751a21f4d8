namespace ImagingCommons.Client;

/// <summary>How an <see cref="ImagingCommonsClient"/> talks to its server.</summary>
public sealed class ImagingCommonsClientOptions
{
    /// <summary>The server's address, e.g. <c>http://localhost:5000</c> (for <c>AddImagingCommonsClient</c>; the constructors take it as an argument).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The caller's credential, sent as <c>Authorization: Bearer</c>; null: anonymous (saved-cohort routes then answer 401).</summary>
    public ImagingCommonsCredential? Credential { get; set; }

    /// <summary>
    /// How long a paged call keeps resuming a query that answered 202 (still running on the server) before it gives up
    /// with <see cref="ImagingCommonsPendingTimeoutException"/>. Default 10 minutes.
    /// </summary>
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first wait between two resumes of a running query; it doubles up to <see cref="MaxPendingPollInterval"/>. Default 200 ms.</summary>
    public TimeSpan PendingPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two resumes of a running query. Default 5 s.</summary>
    public TimeSpan MaxPendingPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Retries of a request that failed to connect or answered 5xx, 408 or 429 (after the wait its <c>Retry-After</c>
    /// asks for). Default 3; 0 turns retries off. Used by the clients this library builds (a base URL or
    /// <c>AddImagingCommonsClient</c>); an injected <see cref="HttpClient"/> keeps its own pipeline.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The base of the exponential backoff between retries (with jitter), when the answer has no <c>Retry-After</c>. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take before it counts as failed (and is retried). Default 100 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Called before each retry with what failed and how long the client waits; for progress messages.</summary>
    public Action<RetryNotice>? OnRetry { get; set; }

    /// <summary>The clock of waits (retries, 202 resumes); tests give a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal ImagingCommonsClientOptions Clone() => (ImagingCommonsClientOptions)MemberwiseClone();
}

/// <summary>A retry about to happen.</summary>
/// <param name="Attempt">The attempt that failed (0 for the first).</param>
/// <param name="Delay">How long the client waits before the next attempt.</param>
/// <param name="StatusCode">The failed attempt's HTTP status, or null when it did not get an answer.</param>
/// <param name="Exception">The failed attempt's exception, when it did not get an answer.</param>
public sealed record RetryNotice(int Attempt, TimeSpan Delay, int? StatusCode, Exception? Exception);
