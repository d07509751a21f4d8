using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImagingCommons.Data.Query;

/// <summary>What <see cref="ResultStore{T}.AcquireAsync"/> gives: the result (pinned until disposed), still running (HTTP 202), or refused (HTTP 429).</summary>
internal enum StoreStatus
{
    Ready,
    Pending,
    Refused,
}

/// <summary>The limits of a <see cref="ResultStore{T}"/>: see <see cref="QueryOptions"/> for what each means.</summary>
/// <param name="MaxBytes">The most the finished results may weigh together (by the store's weigher); the newest is kept even alone above it.</param>
internal sealed record ResultStoreLimits(int MaxResults, TimeSpan IdleTimeout, TimeSpan ResumeWindow, int MaxJobsPerCaller, long MaxBytes = long.MaxValue)
{
    public static ResultStoreLimits From(QueryOptions options) =>
        new(options.MaxResults, options.IdleTimeout, options.ResumeWindow, options.MaxOutstandingJobsPerCaller, QueryOptions.Bytes(options.HeldRowsMemoryLimit));
}

/// <summary>
/// One result store for the query engine: every result is computed at most once at a time (single flight per key),
/// callers wait for it up to their deadline (then get <see cref="StoreStatus.Pending"/>, the 202, while the work runs
/// on), finished results are kept for later pages with least-recently-used and idle eviction, and work that nobody
/// wants any more is cancelled. All times come from the <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// <para><b>Wanted and abandoned.</b> A running job is wanted while at least one request waits on it, or while a 202
/// handed out for it is younger than the resume window (each 202, including those of resuming calls, starts the
/// window again). It is abandoned, and its work cancelled through its token, in exactly two cases: the last request
/// waiting on it stops waiting because that request ended (the client went away) and no 202 for it is within the
/// window; or the window passes with nobody waiting (found by the sweep). A caller that comes back within the
/// window with its next_page token joins the same job and collects it.</para>
/// <para><b>Outstanding jobs per caller.</b> A job counts for the caller that started it until its work has stopped
/// (finished, failed, or cancelled and stopped). A caller holding the maximum is refused a new job; joining a job
/// that is running and reading a finished result are never refused.</para>
/// <para><b>Finished results.</b> Kept until unread for the idle timeout, or until more than the maximum number of
/// results are held, or until they weigh more than the maximum together (least recently used first; for the weight,
/// only results that weigh something, and never the result just finished, even when it alone weighs more). A result
/// being read (pinned by a lease) is never evicted. A failure is rethrown to the first caller that collects it and
/// then forgotten, so a retry starts afresh.</para>
/// <para>Thread-safe; one lock guards the bookkeeping, and no work or callback runs under it.</para>
/// </remarks>
internal sealed class ResultStore<T> : IDisposable
    where T : class
{
    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _outstanding = new(StringComparer.Ordinal);
    private readonly ResultStoreLimits _limits;
    private readonly TimeProvider _time;
    private readonly Action<string, T>? _evicted;
    private readonly Func<T, long>? _weigh;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;
    private long _heldBytes;
    private bool _disposed;

    /// <param name="evicted">Called (outside the lock) with each finished result the store lets go of, to free what it holds.</param>
    /// <param name="weigh">What a finished result weighs against <see cref="ResultStoreLimits.MaxBytes"/> (the memory it holds outside the engine's database); none: nothing.</param>
    public ResultStore(ResultStoreLimits limits, TimeProvider time, Action<string, T>? evicted = null, ILogger? logger = null, Func<T, long>? weigh = null)
    {
        _limits = limits;
        _time = time;
        _evicted = evicted;
        _weigh = weigh;
        _logger = logger ?? NullLogger.Instance;
        var shortest = limits.IdleTimeout < limits.ResumeWindow ? limits.IdleTimeout : limits.ResumeWindow;
        SweepPeriod = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));

        // The timer lives as long as the store: it must not capture the creating request's ExecutionContext.
        var restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            _sweeper = time.CreateTimer(static state => ((ResultStore<T>)state!).Sweep(), this, SweepPeriod, SweepPeriod);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>How often the sweep looks for idle results and abandoned jobs: a quarter of the shorter of the idle timeout and the resume window, between 100 ms and 1 minute.</summary>
    public TimeSpan SweepPeriod { get; }

    /// <summary>Entries held: running jobs, finished results and uncollected failures.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>What the finished results held weigh together.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _heldBytes;
            }
        }
    }

    /// <summary>Jobs started by <paramref name="caller"/> whose work has not stopped yet.</summary>
    public int OutstandingFor(string caller)
    {
        lock (_lock)
        {
            return _outstanding.GetValueOrDefault(caller);
        }
    }

    /// <summary>
    /// Gets the result of <paramref name="key"/>: at once when it is held, otherwise by joining its running job or
    /// starting <paramref name="work"/>, waiting up to <paramref name="deadline"/>.
    /// </summary>
    /// <param name="caller">Who asks (for the bound on outstanding jobs); empty: not bounded.</param>
    /// <param name="work">Computes the result; its token is cancelled when the job is abandoned or the store disposed, never by <paramref name="requestAborted"/> alone.</param>
    /// <param name="deadline">How long to wait: <see cref="TimeSpan.Zero"/> not at all, <see cref="Timeout.InfiniteTimeSpan"/> until done.</param>
    /// <param name="requestAborted">The request's end: stops this wait (throwing <see cref="OperationCanceledException"/>) and may abandon the job.</param>
    /// <returns>A lease: dispose it once the result has been read (it is not evicted meanwhile).</returns>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <remarks>A failure of the work is rethrown (once; the next call starts afresh).</remarks>
    public async Task<StoreLease<T>> AcquireAsync(string key, string caller, Func<CancellationToken, Task<T>> work, TimeSpan deadline, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(work);
        if (deadline < TimeSpan.Zero && deadline != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "The deadline must be zero, positive or infinite.");
        }

        requestAborted.ThrowIfCancellationRequested();
        var waits = deadline != TimeSpan.Zero;
        Entry entry;
        Entry? failed = null;
        var start = false;
        List<(string, T)>? evictions = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            if (_entries.TryGetValue(key, out var found) && found.Task.IsCompleted)
            {
                if (found.Task.IsCompletedSuccessfully)
                {
                    return Pin(found, now, cacheHit: true);
                }

                Remove(found);
                if (found.Task.IsFaulted)
                {
                    failed = found;
                }

                found = null;
            }

            if (failed is not null)
            {
                entry = failed;
            }
            else if (found is not null)
            {
                entry = found;
            }
            else
            {
                if (caller.Length > 0 && _outstanding.GetValueOrDefault(caller) >= _limits.MaxJobsPerCaller)
                {
                    return StoreLease<T>.Refused;
                }

                entry = new Entry(key, caller, now);
                _entries.Add(key, entry);
                if (caller.Length > 0)
                {
                    _outstanding[caller] = _outstanding.GetValueOrDefault(caller) + 1;
                }

                start = true;
                evictions = TrimToCapacity(entry);
            }

            entry.LastUsed = now;
            if (failed is null)
            {
                // Counted before the lock is let go, so that the sweep never sees a fresh job as unwanted.
                if (waits)
                {
                    entry.Waiters++;
                }
                else
                {
                    entry.LeaseUntil = now + _limits.ResumeWindow;
                }
            }
        }

        Evict(evictions, "capacity");
        if (failed is not null)
        {
            // Rethrows the work's own exception to the caller that collects it.
            await failed.Task.ConfigureAwait(false);
        }

        if (start)
        {
            entry.Start(work, this);
        }

        if (waits)
        {
            try
            {
                await entry.Task.WaitAsync(deadline, _time, requestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!entry.Task.IsCompleted)
            {
                // The deadline passed first: pending below.
            }
            catch (OperationCanceledException) when (requestAborted.IsCancellationRequested && !entry.Task.IsCompleted)
            {
                LeaveAborted(entry);
                throw;
            }
            catch (Exception) when (entry.Task.IsCompleted)
            {
                // The work failed, or finished just as the wait gave up: handled below.
            }
        }

        return await Collect(entry, waits, key, caller, work, deadline, requestAborted).ConfigureAwait(false);
    }

    /// <summary>The finished result of a key, pinned (dispose the lease), when the store holds one; null otherwise. Starts nothing.</summary>
    public StoreLease<T>? TryAcquireFinished(string key)
    {
        lock (_lock)
        {
            if (_disposed || !_entries.TryGetValue(key, out var found) || !found.Task.IsCompletedSuccessfully)
            {
                return null;
            }

            return Pin(found, _time.GetUtcNow(), cacheHit: true);
        }
    }

    /// <summary>Cancels every running job and drops every entry (finished results are not handed to the eviction callback: their owner is going away).</summary>
    public void Dispose() => Stop();

    /// <summary><see cref="Dispose"/>, returning the tasks of the jobs that were running, to wait for their work to stop.</summary>
    public Task[] Stop()
    {
        List<Entry> running;
        lock (_lock)
        {
            if (_disposed)
            {
                return [];
            }

            _disposed = true;
            running = [.. _entries.Values.Where(e => !e.Task.IsCompleted)];
            _entries.Clear();
            _heldBytes = 0;
        }

        _sweeper.Dispose();
        foreach (var entry in running)
        {
            entry.Cancel();
        }

        return [.. running.Select(e => (Task)e.Task)];
    }

    private async Task<StoreLease<T>> Collect(Entry entry, bool waited, string key, string caller, Func<CancellationToken, Task<T>> work, TimeSpan deadline, CancellationToken requestAborted)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (waited)
            {
                entry.Waiters--;
            }

            if (!entry.Task.IsCompleted)
            {
                // The 202: the caller is expected back with its token within the resume window.
                entry.LeaseUntil = now + _limits.ResumeWindow;
                entry.LastUsed = now;
                return StoreLease<T>.Pending;
            }

            if (entry.Task.IsCompletedSuccessfully)
            {
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    return Pin(entry, now, cacheHit: false);
                }
            }
            else
            {
                Remove(entry);
            }
        }

        if (!entry.Task.IsCompletedSuccessfully)
        {
            // Rethrows the failure (or the cancellation of a store being disposed).
            await entry.Task.ConfigureAwait(false);
        }

        // Finished and already evicted in the instant between: ask again (it is recomputed, identically).
        return await AcquireAsync(key, caller, work, deadline, requestAborted).ConfigureAwait(false);
    }

    private StoreLease<T> Pin(Entry entry, DateTimeOffset now, bool cacheHit)
    {
        entry.Readers++;
        entry.LastUsed = now;
        return new StoreLease<T>(StoreStatus.Ready, entry.Task.Result, cacheHit, () => Unpin(entry));
    }

    private void Unpin(Entry entry)
    {
        lock (_lock)
        {
            entry.Readers--;
            entry.LastUsed = _time.GetUtcNow();
        }
    }

    /// <summary>A waiting request ended: if it was the last one and no 202 is within the window, nobody wants the job any more.</summary>
    private void LeaveAborted(Entry entry)
    {
        bool abandon;
        lock (_lock)
        {
            entry.Waiters--;
            abandon = entry.Waiters == 0 && !entry.Stopped && entry.LeaseUntil <= _time.GetUtcNow() && Remove(entry);
        }

        if (abandon)
        {
            Log.JobAbandoned(_logger, entry.Key, "the request waiting for it ended");
            entry.Cancel();
        }
    }

    /// <summary>
    /// The job's work has stopped (called before its task completes, so that a caller collecting it may start its next
    /// job at once): it no longer counts for its caller; a cancelled job is forgotten; a result nobody holds is freed.
    /// </summary>
    private void Finished(Entry entry, bool cancelled, T? value)
    {
        List<(string, T)>? evictions;
        bool orphan;
        // Weighed outside the lock: it may walk every row a result holds.
        var weight = !cancelled && value is not null && _weigh is not null ? _weigh(value) : 0;
        lock (_lock)
        {
            entry.Stopped = true;
            if (entry.Caller.Length > 0 && _outstanding.TryGetValue(entry.Caller, out var count))
            {
                if (count <= 1)
                {
                    _outstanding.Remove(entry.Caller);
                }
                else
                {
                    _outstanding[entry.Caller] = count - 1;
                }
            }

            var now = _time.GetUtcNow();
            entry.LastUsed = now;
            entry.FinishedAt = now;
            var held = _entries.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry);
            if (held && cancelled)
            {
                Remove(entry);
            }
            else if (held)
            {
                entry.Weight = weight;
                _heldBytes += weight;
            }

            // Abandoned (or the store disposed) just as it succeeded: its result belongs to nobody.
            orphan = !held && value is not null && !_disposed;
            evictions = held ? TrimToCapacity(entry) : null;
        }

        if (orphan)
        {
            Evict([(entry.Key, value!)], "abandoned");
        }

        Evict(evictions, "capacity");
    }

    private void Sweep()
    {
        var abandoned = new List<Entry>();
        var evictions = new List<(string, T)>();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var entry in _entries.Values.ToList())
            {
                if (!entry.Task.IsCompleted)
                {
                    if (!entry.Stopped && entry.Waiters == 0 && entry.LeaseUntil <= now && Remove(entry))
                    {
                        abandoned.Add(entry);
                    }
                }
                else if (entry.Task.IsCompletedSuccessfully)
                {
                    if (entry.Readers == 0 && now - entry.LastUsed >= _limits.IdleTimeout && Remove(entry))
                    {
                        evictions.Add((entry.Key, entry.Task.Result));
                    }
                }
                else if (now - entry.FinishedAt >= _limits.ResumeWindow)
                {
                    // A failure nobody came back for.
                    Remove(entry);
                }
            }
        }

        foreach (var entry in abandoned)
        {
            Log.JobAbandoned(_logger, entry.Key, "nobody came back for it within the resume window");
            entry.Cancel();
        }

        Evict(evictions, "idle");
    }

    /// <summary>
    /// Under the lock: removes the least recently used finished, unpinned results beyond the maximum count, then those
    /// that weigh something beyond the maximum weight (never <paramref name="kept"/>: the result just finished, which its
    /// caller is about to read).
    /// </summary>
    private List<(string, T)>? TrimToCapacity(Entry kept)
    {
        if (_entries.Count <= _limits.MaxResults && _heldBytes <= _limits.MaxBytes)
        {
            return null;
        }

        var victims = new List<(string, T)>();
        foreach (var candidate in _entries.Values.Where(e => e.Task.IsCompletedSuccessfully && e.Readers == 0).OrderBy(e => e.LastUsed).ToList())
        {
            var overCount = _entries.Count > _limits.MaxResults;
            if (!overCount && _heldBytes <= _limits.MaxBytes)
            {
                break;
            }

            // Over the weight alone, only a result that weighs something is worth dropping.
            if (!overCount && (ReferenceEquals(candidate, kept) || candidate.Weight == 0))
            {
                continue;
            }

            Remove(candidate);
            victims.Add((candidate.Key, candidate.Task.Result));
        }

        return victims;
    }

    private bool Remove(Entry entry)
    {
        if (!(_entries.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry) && _entries.Remove(entry.Key)))
        {
            return false;
        }

        _heldBytes -= entry.Weight;
        entry.Weight = 0;
        return true;
    }

    private void Evict(List<(string Key, T Value)>? evictions, string reason)
    {
        if (evictions is null)
        {
            return;
        }

        foreach (var (key, value) in evictions)
        {
            Log.ResultEvicted(_logger, key, reason);
            try
            {
                _evicted?.Invoke(key, value);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Freeing is best effort: what is left goes when the engine's database is deleted.
                Log.EvictionFailed(_logger, key, exception);
            }
        }
    }

    private sealed class Entry(string key, string caller, DateTimeOffset created)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _cancellation = new();

        public string Key { get; } = key;

        public string Caller { get; } = caller;

        /// <summary>Visible to joiners before the work starts.</summary>
        public Task<T> Task => _completion.Task;

        public int Waiters { get; set; }

        public int Readers { get; set; }

        /// <summary>What its result weighs (see the store's weigher) while it is held.</summary>
        public long Weight { get; set; }

        public DateTimeOffset LastUsed { get; set; } = created;

        public DateTimeOffset LeaseUntil { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset FinishedAt { get; set; } = DateTimeOffset.MaxValue;

        /// <summary>The work has returned or thrown (its task completes right after).</summary>
        public bool Stopped { get; set; }

        /// <summary>Runs the work on the thread pool, so a synchronous start cannot hold the caller past its deadline.</summary>
        public void Start(Func<CancellationToken, Task<T>> work, ResultStore<T> store)
        {
            var token = _cancellation.Token;
            _ = System.Threading.Tasks.Task.Run(
                async () =>
                {
                    T? value = null;
                    Exception? failure = null;
                    var cancelled = false;
                    try
                    {
                        value = await work(token).ConfigureAwait(false) ?? throw new InvalidOperationException("The work returned no result.");
                    }
                    catch (OperationCanceledException exception) when (token.IsCancellationRequested)
                    {
                        cancelled = true;
                        failure = exception;
                    }
                    catch (Exception exception)
                    {
                        failure = exception;
                    }

                    store.Finished(this, cancelled, value);
                    if (cancelled)
                    {
                        _completion.TrySetCanceled(token);
                    }
                    else if (failure is not null)
                    {
                        _completion.TrySetException(failure);
                    }
                    else
                    {
                        _completion.TrySetResult(value!);
                    }
                },
                CancellationToken.None);
        }

        public void Cancel()
        {
            try
            {
                _cancellation.Cancel();
            }
            catch (AggregateException)
            {
                // A cancellation callback of the work threw; the job is being dropped anyway.
            }
        }
    }
}

/// <summary>A result of the store, pinned until disposed; or the store's word that it is still running or refused.</summary>
internal sealed class StoreLease<T> : IDisposable
    where T : class
{
    private Action? _release;

    internal StoreLease(StoreStatus status, T? value, bool cacheHit, Action? release)
    {
        Status = status;
        Value = value;
        CacheHit = cacheHit;
        _release = release;
    }

    public static StoreLease<T> Pending { get; } = new(StoreStatus.Pending, null, false, null);

    public static StoreLease<T> Refused { get; } = new(StoreStatus.Refused, null, false, null);

    public StoreStatus Status { get; }

    /// <summary>The result when <see cref="Status"/> is <see cref="StoreStatus.Ready"/>.</summary>
    public T? Value { get; }

    /// <summary>The result was already finished when asked for.</summary>
    public bool CacheHit { get; }

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
