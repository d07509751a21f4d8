using ImagingCommons.Data.Paging;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Paging;

public sealed class QueryJobsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    private static CancellationToken Aborted => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fast_work_completes_within_the_deadline()
    {
        using var jobs = new QueryJobs();

        var outcome = await jobs.RunAsync("q", _ => Task.FromResult(42), Generous, Aborted);

        Assert.Equal(new JobOutcome<int>(true, 42), outcome);
    }

    [Fact]
    public async Task Work_that_misses_the_deadline_is_pending_and_keeps_running()
    {
        var time = new ManualTimeProvider();
        using var jobs = new QueryJobs(time, Retention);
        var gate = NewGate();
        var invocations = 0;
        Task<int> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return gate.Task.WaitAsync(token);
        }

        var waiting = jobs.RunAsync("q", Work, TimeSpan.FromSeconds(5), Aborted);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var first = await waiting;

        Assert.False(first.IsCompleted);
        Assert.Equal(1, jobs.Count);

        gate.SetResult(7);
        var second = await jobs.RunAsync("q", Work, Timeout.InfiniteTimeSpan, Aborted);

        Assert.Equal(new JobOutcome<int>(true, 7), second);
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task A_zero_deadline_returns_pending_and_a_later_call_collects_without_starting_the_work_again()
    {
        using var jobs = new QueryJobs();
        var gate = NewGate();
        var invocations = 0;
        Task<int> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return gate.Task.WaitAsync(token);
        }

        var first = await jobs.RunAsync("q", Work, TimeSpan.Zero, Aborted);
        Assert.False(first.IsCompleted);
        Assert.Equal(default, first.Result);

        gate.SetResult(5);
        var second = await jobs.RunAsync("q", Work, Generous, Aborted);
        var third = await jobs.RunAsync("q", Work, TimeSpan.Zero, Aborted);

        Assert.Equal(new JobOutcome<int>(true, 5), second);
        Assert.Equal(new JobOutcome<int>(true, 5), third);
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task Concurrent_callers_with_one_key_start_the_work_once_and_share_its_result()
    {
        using var jobs = new QueryJobs();
        var gate = NewGate();
        var invocations = 0;
        var start = NewGate();
        Task<int> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return gate.Task.WaitAsync(token);
        }

        // No blocking barrier: 16 blocked threads would starve a 2-core thread pool.
        var callers = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(
                async () =>
                {
                    await start.Task;
                    return await jobs.RunAsync("q", Work, Generous, Aborted);
                },
                Aborted))
            .ToList();
        start.SetResult(0);
        gate.SetResult(99);
        var outcomes = await Task.WhenAll(callers);

        Assert.All(outcomes, outcome => Assert.Equal(new JobOutcome<int>(true, 99), outcome));
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task Different_keys_run_separately()
    {
        using var jobs = new QueryJobs();

        var a = await jobs.RunAsync("a", _ => Task.FromResult("A"), Generous, Aborted);
        var b = await jobs.RunAsync("b", _ => Task.FromResult("B"), Generous, Aborted);

        Assert.Equal("A", a.Result);
        Assert.Equal("B", b.Result);
        Assert.Equal(2, jobs.Count);
    }

    [Fact]
    public async Task A_failure_propagates_and_a_retry_starts_fresh()
    {
        using var jobs = new QueryJobs();
        var invocations = 0;
        async Task<int> Work(CancellationToken token)
        {
            await Task.Yield();
            return Interlocked.Increment(ref invocations) == 1 ? throw new InvalidOperationException("engine broke") : 3;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.RunAsync("q", Work, Generous, Aborted));
        Assert.Equal("engine broke", error.Message);
        Assert.Equal(0, jobs.Count);

        var retry = await jobs.RunAsync("q", Work, Generous, Aborted);

        Assert.Equal(new JobOutcome<int>(true, 3), retry);
        Assert.Equal(2, invocations);
    }

    [Fact]
    public async Task Work_that_throws_before_returning_a_task_fails_like_any_other_work()
    {
        using var jobs = new QueryJobs();

        await Assert.ThrowsAsync<NotSupportedException>(() => jobs.RunAsync<int>("q", _ => throw new NotSupportedException(), Generous, Aborted));
        Assert.Equal(0, jobs.Count);
    }

    [Fact]
    public async Task A_failure_of_a_pending_job_reaches_the_caller_that_collects_it()
    {
        using var jobs = new QueryJobs();
        var gate = NewGate();
        var invocations = 0;
        async Task<int> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            await gate.Task.WaitAsync(token);
            throw new InvalidDataException("bad parquet");
        }

        Assert.False((await jobs.RunAsync("q", Work, TimeSpan.Zero, Aborted)).IsCompleted);
        gate.SetResult(0);

        await Assert.ThrowsAsync<InvalidDataException>(() => jobs.RunAsync("q", Work, Generous, Aborted));
        Assert.Equal(1, invocations);
        Assert.Equal(0, jobs.Count);
    }

    [Fact]
    public async Task Synchronous_work_does_not_hold_the_caller_past_a_zero_deadline()
    {
        using var jobs = new QueryJobs();
        using var release = new ManualResetEventSlim();
        var pending = await jobs.RunAsync(
            "q",
            token =>
            {
                release.Wait(Generous, token);
                return Task.FromResult(1);
            },
            TimeSpan.Zero,
            Aborted);

        Assert.False(pending.IsCompleted);
        release.Set();
        Assert.Equal(1, (await jobs.RunAsync("q", _ => Task.FromResult(2), Generous, Aborted)).Result);
    }

    [Fact]
    public async Task An_aborted_request_stops_waiting_but_the_job_runs_on_for_the_next_caller()
    {
        using var jobs = new QueryJobs();
        var gate = NewGate();
        var invocations = 0;
        CancellationToken workToken = default;
        Task<int> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            workToken = token;
            return gate.Task.WaitAsync(token);
        }

        using var request = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var waiting = jobs.RunAsync("q", Work, Timeout.InfiniteTimeSpan, request.Token);
        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(workToken.IsCancellationRequested);
        gate.SetResult(11);

        Assert.Equal(new JobOutcome<int>(true, 11), await jobs.RunAsync("q", Work, Generous, Aborted));
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task Uncollected_results_are_swept_after_the_retention()
    {
        var time = new ManualTimeProvider();
        using var jobs = new QueryJobs(time, Retention);
        var finished = NewGate();

        Assert.False((await jobs.RunAsync("q", async _ => { await Task.Yield(); finished.SetResult(0); return 1; }, TimeSpan.Zero, Aborted)).IsCompleted);
        await finished.Task.WaitAsync(Generous, Aborted);

        time.Advance(Retention - TimeSpan.FromMinutes(1));
        Assert.Equal(1, jobs.Count);
        time.Advance(TimeSpan.FromMinutes(1) + jobs.SweepPeriod);
        Assert.Equal(0, jobs.Count);
    }

    [Fact]
    public async Task A_collected_result_is_served_again_until_the_retention_since_it_was_last_collected()
    {
        var time = new ManualTimeProvider();
        using var jobs = new QueryJobs(time, Retention);
        var invocations = 0;
        Task<int> Work(CancellationToken token) => Task.FromResult(Interlocked.Increment(ref invocations));

        Assert.Equal(1, (await jobs.RunAsync("q", Work, Timeout.InfiniteTimeSpan, Aborted)).Result);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(1, (await jobs.RunAsync("q", Work, TimeSpan.Zero, Aborted)).Result);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(1, jobs.Count);
        time.Advance(TimeSpan.FromMinutes(1) + jobs.SweepPeriod);
        Assert.Equal(0, jobs.Count);

        Assert.Equal(2, (await jobs.RunAsync("q", Work, Timeout.InfiniteTimeSpan, Aborted)).Result);
        Assert.Equal(2, invocations);
    }

    [Fact]
    public async Task A_running_job_nobody_asks_about_for_the_retention_is_cancelled_and_dropped()
    {
        var time = new ManualTimeProvider();
        using var jobs = new QueryJobs(time, Retention);
        var cancelled = NewGate();
        var pending = await jobs.RunAsync("q", token => WaitForCancellation(token, cancelled), TimeSpan.Zero, Aborted);
        Assert.False(pending.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False((await jobs.RunAsync("q", token => WaitForCancellation(token, cancelled), TimeSpan.Zero, Aborted)).IsCompleted);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(1, jobs.Count);
        Assert.False(cancelled.Task.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(1) + jobs.SweepPeriod);
        Assert.Equal(0, jobs.Count);
        await cancelled.Task.WaitAsync(Generous, Aborted);
    }

    [Fact]
    public async Task Disposing_cancels_running_work_and_refuses_new_work()
    {
        var jobs = new QueryJobs();
        var cancelled = NewGate();
        Assert.False((await jobs.RunAsync("q", token => WaitForCancellation(token, cancelled), TimeSpan.Zero, Aborted)).IsCompleted);

        jobs.Dispose();

        await cancelled.Task.WaitAsync(Generous, Aborted);
        Assert.Equal(0, jobs.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => jobs.RunAsync("r", _ => Task.FromResult(1), Generous, Aborted));
    }

    [Fact]
    public async Task A_caller_waiting_when_the_jobs_are_disposed_sees_the_cancellation()
    {
        var jobs = new QueryJobs();
        var cancelled = NewGate();
        var waiting = jobs.RunAsync("q", token => WaitForCancellation(token, cancelled), Timeout.InfiniteTimeSpan, Aborted);

        jobs.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Joining_a_job_with_another_result_type_is_refused()
    {
        using var jobs = new QueryJobs();
        await jobs.RunAsync("q", _ => Task.FromResult(1), Generous, Aborted);

        await Assert.ThrowsAsync<InvalidOperationException>(() => jobs.RunAsync("q", _ => Task.FromResult("one"), Generous, Aborted));
    }

    private static TaskCompletionSource<int> NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task<int> WaitForCancellation(CancellationToken token, TaskCompletionSource<int> cancelled)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return 0;
        }
        catch (OperationCanceledException)
        {
            cancelled.TrySetResult(0);
            throw;
        }
    }
}
