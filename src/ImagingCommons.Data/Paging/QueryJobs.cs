using System.Collections.Concurrent;

namespace ImagingCommons.Data.Paging;

/// <summary>The outcome of <see cref="QueryJobs.RunAsync"/>: the result when the job has finished, otherwise pending (HTTP 202).</summary>
public readonly record struct JobOutcome<T>(bool IsCompleted, T? Result);

/// <summary>
/// Runs query work under a deadline. Work that misses the deadline keeps running as a job, keyed by the caller's
/// choice of key (e.g. release + canonical query), and a later call with the same key collects it.
/// </summary>
/// <remarks>
/// <para>Each key's work starts at most once while its job is held: concurrent and later callers join the running or
/// finished job. A failed job is forgotten once a caller has seen its exception, so a retry starts fresh.</para>
/// <para>Cleanup: a finished job is dropped once <c>retention</c> has passed since it finished and since it was last
/// collected; a running job nobody has asked about (and nobody is waiting on) for <c>retention</c> is abandoned:
/// it is cancelled and dropped. A background sweep driven by the <see cref="TimeProvider"/>'s timer does this.
/// Disposing cancels every running job.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class QueryJobs : IDisposable
{
    internal static readonly TimeSpan DefaultRetention = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Job> jobs = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly TimeSpan retention;
    private readonly ITimer sweeper;
    private int disposed;

    /// <param name="time">Clock and timers; the system ones when null.</param>
    /// <param name="retention">How long finished-but-uncollected or abandoned jobs are kept; 10 minutes when null.</param>
    public QueryJobs(TimeProvider? time = null, TimeSpan? retention = null)
    {
        this.time = time ?? TimeProvider.System;
        this.retention = retention ?? DefaultRetention;
        if (this.retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), this.retention, "Retention must be positive.");
        }

        SweepPeriod = TimeSpan.FromTicks(Math.Clamp(this.retention.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));

        // The sweep timer lives as long as this object: don't let it capture the creating request's ExecutionContext.
        var restoreFlow = !ExecutionContext.IsFlowSuppressed();
        if (restoreFlow)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            sweeper = this.time.CreateTimer(static state => ((QueryJobs)state!).Sweep(), this, SweepPeriod, SweepPeriod);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>Jobs currently held, running or finished (for tests and metrics).</summary>
    public int Count => jobs.Count;

    /// <summary>How often the sweep runs: a quarter of the retention, between 100 ms and 1 minute.</summary>
    internal TimeSpan SweepPeriod { get; }

    /// <summary>
    /// Starts the job for <paramref name="key"/> unless one with that key is held (running, or finished and retained),
    /// in which case it joins that job without starting the work again; then waits for it up to <paramref name="deadline"/>.
    /// </summary>
    /// <param name="key">Identifies the result: everything the result depends on, nothing it doesn't.</param>
    /// <param name="work">The query work; its token is cancelled only when the job is abandoned or this object is disposed, never by <paramref name="requestAborted"/>.</param>
    /// <param name="deadline">How long to wait; <see cref="TimeSpan.Zero"/> = not at all; <see cref="Timeout.InfiniteTimeSpan"/> = until done.</param>
    /// <param name="requestAborted">Stops the wait (throwing <see cref="OperationCanceledException"/>); the job keeps running.</param>
    /// <returns>Completed with the result, or pending when the deadline passed first (the job keeps running).</returns>
    /// <exception cref="InvalidOperationException">A job with this key holds a result of another type.</exception>
    /// <exception cref="ObjectDisposedException">This object has been disposed.</exception>
    /// <remarks>If the work failed (or was cancelled), its exception is rethrown and the job is forgotten.</remarks>
    public async Task<JobOutcome<T>> RunAsync<T>(string key, Func<CancellationToken, Task<T>> work, TimeSpan deadline, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(work);
        if (deadline < TimeSpan.Zero && deadline != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "The deadline must be zero, positive or infinite.");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        requestAborted.ThrowIfCancellationRequested();

        var job = GetOrStart(key, work);
        job.Touch(Now);
        if (!job.Work.IsCompleted && deadline != TimeSpan.Zero)
        {
            job.EnterWait();
            try
            {
                await job.Work.WaitAsync(deadline, time, requestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!job.Work.IsCompleted)
            {
                // Deadline passed: pending.
            }
            catch (Exception) when (job.Work.IsCompleted)
            {
                // The work itself failed (or finished just as the wait gave up): handled below.
            }
            finally
            {
                job.ExitWait(Now);
            }
        }

        if (!job.Work.IsCompleted)
        {
            return new JobOutcome<T>(false, default);
        }

        if (!job.Work.IsCompletedSuccessfully)
        {
            Forget(key, job);
        }

        // Rethrows the work's own exception when it failed.
        return new JobOutcome<T>(true, await job.Work.ConfigureAwait(false));
    }

    /// <summary>Cancels every running job and drops all jobs.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        sweeper.Dispose();
        foreach (var (key, job) in jobs)
        {
            Forget(key, job);
            job.Cancel();
        }
    }

    private long Now => time.GetUtcNow().UtcTicks;

    private Job<T> GetOrStart<T>(string key, Func<CancellationToken, Task<T>> work)
    {
        while (true)
        {
            if (jobs.TryGetValue(key, out var existing))
            {
                return existing as Job<T> ?? throw new InvalidOperationException(
                    $"The job '{key}' holds a result of another type than {typeof(T).Name}.");
            }

            var candidate = new Job<T>(work, time);
            if (jobs.TryAdd(key, candidate))
            {
                candidate.Start();
                if (Volatile.Read(ref disposed) != 0)
                {
                    // Disposed while starting: don't leave the work running.
                    Forget(key, candidate);
                    candidate.Cancel();
                }

                return candidate;
            }
        }
    }

    private bool Forget(string key, Job job) => jobs.TryRemove(new KeyValuePair<string, Job>(key, job));

    private void Sweep()
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        var now = Now;
        foreach (var (key, job) in jobs)
        {
            if (job.IsExpired(now, retention.Ticks) && Forget(key, job))
            {
                job.Cancel();
            }
        }
    }

    private abstract class Job
    {
        private readonly CancellationTokenSource cancellation = new();
        private readonly TimeProvider time;
        private long lastTouched;
        private long finishedAt;
        private int waiters;

        protected Job(TimeProvider time)
        {
            this.time = time;
            lastTouched = time.GetUtcNow().UtcTicks;
        }

        protected abstract Task Task { get; }

        protected CancellationToken Token => cancellation.Token;

        public void Touch(long now) => Volatile.Write(ref lastTouched, now);

        public void EnterWait() => Interlocked.Increment(ref waiters);

        public void ExitWait(long now)
        {
            Touch(now);
            Interlocked.Decrement(ref waiters);
        }

        /// <summary>Finished and untouched for the retention, or running with nobody waiting and untouched for the retention.</summary>
        public bool IsExpired(long now, long retention)
        {
            var last = Volatile.Read(ref lastTouched);
            if (Task.IsCompleted)
            {
                // The completion continuation records the time; if the sweep gets here first, count from now.
                Interlocked.CompareExchange(ref finishedAt, now, 0);
                last = Math.Max(last, Volatile.Read(ref finishedAt));
                return now - last >= retention;
            }

            return Volatile.Read(ref waiters) == 0 && now - last >= retention;
        }

        public void Cancel()
        {
            if (Task.IsCompleted)
            {
                return;
            }

            try
            {
                cancellation.Cancel();
            }
            catch (AggregateException)
            {
                // A cancellation callback registered by the work threw; the job is being dropped anyway.
            }
        }

        protected void WhenFinished()
        {
            Task.ContinueWith(
                static (task, state) =>
                {
                    var job = (Job)state!;
                    _ = task.Exception; // observed: an uncollected failure must not surface as UnobservedTaskException
                    Interlocked.CompareExchange(ref job.finishedAt, job.time.GetUtcNow().UtcTicks, 0);
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed class Job<T> : Job
    {
        private readonly Task<Task<T>> starter;

        public Job(Func<CancellationToken, Task<T>> work, TimeProvider time)
            : base(time)
        {
            // Created cold: only the caller that wins the dictionary slot starts it, so the work runs exactly once.
            starter = new Task<Task<T>>(
                static state =>
                {
                    var (run, token) = ((Func<CancellationToken, Task<T>>, CancellationToken))state!;
                    return run(token) ?? throw new InvalidOperationException("The job's work returned no task.");
                },
                (work, Token),
                CancellationToken.None,
                TaskCreationOptions.DenyChildAttach);
            Work = starter.Unwrap();
        }

        /// <summary>The work's task (already visible to joiners before <see cref="Start"/> runs).</summary>
        public Task<T> Work { get; }

        protected override Task Task => Work;

        /// <summary>Runs the work on the thread pool, so a synchronous start cannot hold the caller past its deadline.</summary>
        public void Start()
        {
            WhenFinished();
            starter.Start(TaskScheduler.Default);
        }
    }
}
