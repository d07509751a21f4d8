using ImagingCommons.Data.Query;
using Microsoft.Extensions.Time.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>The store's rules, with work the test controls and a clock that moves only when the test says so.</summary>
public sealed class ResultStoreTests : IDisposable
{
    /// <summary>Only a guard against a hang: every wait below ends on a signal well before it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);
    private static readonly ResultStoreLimits Limits = new(MaxResults: 3, IdleTimeout: TimeSpan.FromMinutes(30), ResumeWindow: TimeSpan.FromMinutes(10), MaxJobsPerCaller: 2);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<string> _evicted = [];
    private readonly ResultStore<Box> _store;

    public ResultStoreTests()
    {
        _store = new ResultStore<Box>(Limits, _time, (key, _) =>
        {
            lock (_evicted)
            {
                _evicted.Add(key);
            }
        });
    }

    private static CancellationToken Aborted => TestContext.Current.CancellationToken;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Fast_work_is_ready_within_the_deadline_and_a_later_call_is_a_cache_hit()
    {
        using var first = await _store.AcquireAsync("q", "", _ => Task.FromResult(new Box(42)), Deadline, Aborted);
        using var second = await _store.AcquireAsync("q", "", _ => Task.FromResult(new Box(0)), Deadline, Aborted);

        Assert.Equal((StoreStatus.Ready, 42, false), (first.Status, first.Value!.Value, first.CacheHit));
        Assert.Equal((StoreStatus.Ready, 42, true), (second.Status, second.Value!.Value, second.CacheHit));
    }

    [Fact]
    public async Task Work_that_misses_the_deadline_is_pending_keeps_running_and_is_collected_later()
    {
        var gate = NewGate();
        var invocations = 0;
        Task<Box> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return gate.Task.WaitAsync(token);
        }

        var waiting = _store.AcquireAsync("q", "", Work, Deadline, Aborted);
        Assert.False(waiting.IsCompleted);
        _time.Advance(Deadline);
        using var first = await waiting;

        Assert.Equal(StoreStatus.Pending, first.Status);
        Assert.Equal(1, _store.Count);

        gate.SetResult(new Box(7));
        using var second = await _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted);

        Assert.Equal((StoreStatus.Ready, 7), (second.Status, second.Value!.Value));
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task A_zero_deadline_is_pending_at_once_and_a_later_call_collects_without_starting_the_work_again()
    {
        var gate = NewGate();
        var invocations = 0;
        Task<Box> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return gate.Task.WaitAsync(token);
        }

        using var first = await _store.AcquireAsync("q", "", Work, TimeSpan.Zero, Aborted);
        gate.SetResult(new Box(5));
        using var second = await _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted);
        using var third = await _store.AcquireAsync("q", "", Work, TimeSpan.Zero, Aborted);

        Assert.Equal(StoreStatus.Pending, first.Status);
        Assert.Equal((StoreStatus.Ready, 5, false), (second.Status, second.Value!.Value, second.CacheHit));
        Assert.Equal((StoreStatus.Ready, 5, true), (third.Status, third.Value!.Value, third.CacheHit));
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task Concurrent_callers_of_one_key_start_the_work_once_and_share_its_result()
    {
        var gate = NewGate();
        var start = NewGate();
        var invocations = 0;
        Task<Box> Work(CancellationToken token)
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
                    using var lease = await _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted);
                    return lease.Value!.Value;
                },
                Aborted))
            .ToList();
        start.SetResult(new Box(0));
        gate.SetResult(new Box(99));

        Assert.All(await Task.WhenAll(callers), value => Assert.Equal(99, value));
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task A_failure_reaches_the_caller_and_a_retry_starts_afresh()
    {
        var invocations = 0;
        async Task<Box> Work(CancellationToken token)
        {
            await Task.Yield();
            return Interlocked.Increment(ref invocations) == 1 ? throw new InvalidOperationException("engine broke") : new Box(3);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted));
        Assert.Equal("engine broke", error.Message);
        Assert.Equal(0, _store.Count);

        using var retry = await _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted);

        Assert.Equal(3, retry.Value!.Value);
        Assert.Equal(2, invocations);
    }

    [Fact]
    public async Task Work_that_throws_before_returning_a_task_fails_like_any_other()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => _store.AcquireAsync("q", "", _ => throw new NotSupportedException(), Deadline, Aborted));

        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task The_failure_of_a_pending_job_reaches_the_caller_that_collects_it()
    {
        var gate = NewGate();
        var invocations = 0;
        async Task<Box> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            await gate.Task.WaitAsync(token);
            throw new InvalidDataException("bad parquet");
        }

        using (var pending = await _store.AcquireAsync("q", "", Work, TimeSpan.Zero, Aborted))
        {
            Assert.Equal(StoreStatus.Pending, pending.Status);
        }

        gate.SetResult(new Box(0));

        await Assert.ThrowsAsync<InvalidDataException>(() => _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted));
        Assert.Equal(1, invocations);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task Synchronous_work_does_not_hold_the_caller_past_a_zero_deadline()
    {
        using var release = new ManualResetEventSlim();
        using var pending = await _store.AcquireAsync(
            "q",
            "",
            token =>
            {
                release.Wait(Guard, token);
                return Task.FromResult(new Box(1));
            },
            TimeSpan.Zero,
            Aborted);

        Assert.Equal(StoreStatus.Pending, pending.Status);
        release.Set();
        using var collected = await _store.AcquireAsync("q", "", _ => Task.FromResult(new Box(2)), Timeout.InfiniteTimeSpan, Aborted);
        Assert.Equal(1, collected.Value!.Value);
    }

    [Fact]
    public async Task A_job_whose_only_waiting_request_ends_before_any_202_is_cancelled_at_once()
    {
        var cancelled = NewGate();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var waiting = _store.AcquireAsync("q", "", token => WaitForCancellation(token, cancelled), Timeout.InfiniteTimeSpan, request.Token);

        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await cancelled.Task.WaitAsync(Guard, Aborted);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task A_job_goes_on_while_another_request_still_waits_for_it()
    {
        var gate = NewGate();
        CancellationToken workToken = default;
        Task<Box> Work(CancellationToken token)
        {
            workToken = token;
            return gate.Task.WaitAsync(token);
        }

        using var leaving = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var first = _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, leaving.Token);
        var second = _store.AcquireAsync("q", "", Work, Timeout.InfiniteTimeSpan, Aborted);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        gate.SetResult(new Box(11));
        using var collected = await second;

        Assert.Equal(11, collected.Value!.Value);
        Assert.False(workToken.IsCancellationRequested);
    }

    [Fact]
    public async Task After_a_202_the_job_waits_for_its_caller_within_the_resume_window_and_is_cancelled_once_it_passes()
    {
        var cancelled = NewGate();
        var invocations = 0;
        Task<Box> Work(CancellationToken token)
        {
            Interlocked.Increment(ref invocations);
            return WaitForCancellation(token, cancelled);
        }

        // The 202 of the first call, then the caller's connection is gone: the job is still wanted.
        var first = _store.AcquireAsync("q", "", Work, Deadline, Aborted);
        _time.Advance(Deadline);
        Assert.Equal(StoreStatus.Pending, (await first).Status);

        // The resume (nextPage) five minutes later joins the same job and gets a 202 again, which starts the window again.
        _time.Advance(TimeSpan.FromMinutes(5));
        var resume = _store.AcquireAsync("q", "", Work, Deadline, Aborted);
        _time.Advance(Deadline);
        Assert.Equal(StoreStatus.Pending, (await resume).Status);

        _time.Advance(Limits.ResumeWindow - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _store.Count);
        Assert.False(cancelled.Task.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1) + _store.SweepPeriod);
        Assert.Equal(0, _store.Count);
        await cancelled.Task.WaitAsync(Guard, Aborted);
        Assert.Equal(1, invocations);
    }

    [Fact]
    public async Task A_finished_result_is_served_until_it_has_been_idle_for_the_idle_timeout()
    {
        var invocations = 0;
        Task<Box> Work(CancellationToken token) => Task.FromResult(new Box(Interlocked.Increment(ref invocations)));

        using (await _store.AcquireAsync("q", "", Work, Deadline, Aborted))
        {
        }

        _time.Advance(TimeSpan.FromMinutes(29));
        using (var read = await _store.AcquireAsync("q", "", Work, Deadline, Aborted))
        {
            Assert.Equal(1, read.Value!.Value);
        }

        _time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(1, _store.Count);
        _time.Advance(TimeSpan.FromMinutes(1) + _store.SweepPeriod);
        Assert.Equal(0, _store.Count);
        Assert.Equal(["q"], _evicted);

        using var again = await _store.AcquireAsync("q", "", Work, Deadline, Aborted);
        Assert.Equal(2, again.Value!.Value);
    }

    [Fact]
    public async Task Beyond_the_maximum_the_least_recently_used_result_goes_first()
    {
        foreach (var key in new[] { "a", "b", "c" })
        {
            using var lease = await _store.AcquireAsync(key, "", _ => Task.FromResult(new Box(1)), Deadline, Aborted);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        using (await _store.AcquireAsync("a", "", _ => Task.FromResult(new Box(1)), Deadline, Aborted))
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        using var d = await _store.AcquireAsync("d", "", _ => Task.FromResult(new Box(1)), Deadline, Aborted);

        Assert.Equal(["b"], _evicted);
        Assert.Equal(3, _store.Count);
    }

    [Fact]
    public async Task Beyond_the_weight_limit_the_least_recently_used_results_that_weigh_go_until_the_rest_fit()
    {
        using var store = WeighedStore(maxBytes: 100);
        await Finish(store, "weightless", 0);
        await Finish(store, "a", 40);
        await Finish(store, "b", 40);
        await Finish(store, "a", 0);
        await Finish(store, "c", 40);

        // The oldest weighs nothing: dropping it would not bring the rest under the limit.
        Assert.Equal(["b"], _evicted);
        Assert.Equal((3, 80L), (store.Count, store.HeldBytes));
    }

    [Fact]
    public async Task A_result_that_alone_outweighs_the_limit_is_kept_for_its_caller_until_the_next_one_finishes()
    {
        using var store = WeighedStore(maxBytes: 100);
        await Finish(store, "a", 40);
        await Finish(store, "b", 40);

        using (var heavy = await store.AcquireAsync("heavy", "", _ => Task.FromResult(new Box(150)), Deadline, Aborted))
        {
            Assert.Equal((StoreStatus.Ready, 150), (heavy.Status, heavy.Value!.Value));
        }

        Assert.Equal(["a", "b"], _evicted);
        Assert.Equal(150, store.HeldBytes);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Finish(store, "light", 10);

        Assert.Equal(["a", "b", "heavy"], _evicted);
        Assert.Equal((1, 10L), (store.Count, store.HeldBytes));
    }

    [Fact]
    public async Task A_result_dropped_for_idleness_or_failing_weighs_nothing_any_more()
    {
        using var store = WeighedStore(maxBytes: 100);
        await Finish(store, "a", 30);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AcquireAsync("broken", "", _ => Task.FromException<Box>(new InvalidOperationException()), Deadline, Aborted));
        Assert.Equal(30, store.HeldBytes);

        _time.Advance(Limits.IdleTimeout + store.SweepPeriod);

        Assert.Equal(["a"], _evicted);
        Assert.Equal((0, 0L), (store.Count, store.HeldBytes));
    }

    [Fact]
    public async Task A_result_being_read_is_not_evicted_until_its_lease_is_disposed()
    {
        var reading = await _store.AcquireAsync("a", "", _ => Task.FromResult(new Box(1)), Deadline, Aborted);
        _time.Advance(Limits.IdleTimeout + _store.SweepPeriod);
        foreach (var key in new[] { "b", "c", "d" })
        {
            using var lease = await _store.AcquireAsync(key, "", _ => Task.FromResult(new Box(1)), Deadline, Aborted);
        }

        Assert.DoesNotContain("a", _evicted);
        reading.Dispose();
        _time.Advance(Limits.IdleTimeout + _store.SweepPeriod);

        Assert.Contains("a", _evicted);
    }

    [Fact]
    public async Task A_caller_at_its_bound_is_refused_a_new_query_but_may_resume_and_read_and_start_again_once_one_finishes()
    {
        var gates = new Dictionary<string, TaskCompletionSource<Box>> { ["a"] = NewGate(), ["b"] = NewGate(), ["c"] = NewGate() };
        Func<CancellationToken, Task<Box>> Work(string key) => token => gates[key].Task.WaitAsync(token);
        using var done = await _store.AcquireAsync("done", "ada", _ => Task.FromResult(new Box(0)), Deadline, Aborted);
        using var a = await _store.AcquireAsync("a", "ada", Work("a"), TimeSpan.Zero, Aborted);
        using var b = await _store.AcquireAsync("b", "ada", Work("b"), TimeSpan.Zero, Aborted);

        using var refused = await _store.AcquireAsync("c", "ada", Work("c"), TimeSpan.Zero, Aborted);
        using var resumed = await _store.AcquireAsync("a", "ada", Work("a"), TimeSpan.Zero, Aborted);
        using var read = await _store.AcquireAsync("done", "ada", Work("c"), TimeSpan.Zero, Aborted);
        using var someoneElse = await _store.AcquireAsync("c", "bob", Work("c"), TimeSpan.Zero, Aborted);

        Assert.Equal(
            [StoreStatus.Pending, StoreStatus.Pending, StoreStatus.Refused, StoreStatus.Pending, StoreStatus.Ready, StoreStatus.Pending],
            new[] { a, b, refused, resumed, read, someoneElse }.Select(l => l.Status));
        Assert.Equal(2, _store.OutstandingFor("ada"));

        gates["a"].SetResult(new Box(1));
        using var collected = await _store.AcquireAsync("a", "ada", Work("a"), Timeout.InfiniteTimeSpan, Aborted);
        Assert.Equal(1, _store.OutstandingFor("ada"));
        using var started = await _store.AcquireAsync("e", "ada", _ => Task.FromResult(new Box(5)), Timeout.InfiniteTimeSpan, Aborted);
        Assert.Equal(StoreStatus.Ready, started.Status);
    }

    [Fact]
    public async Task A_caller_with_no_name_is_not_bounded()
    {
        var leases = new List<StoreLease<Box>>();
        for (var i = 0; i < Limits.MaxJobsPerCaller + 2; i++)
        {
            leases.Add(await _store.AcquireAsync("k" + i, "", token => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => new Box(0), TaskScheduler.Default), TimeSpan.Zero, Aborted));
        }

        Assert.All(leases, l => Assert.Equal(StoreStatus.Pending, l.Status));
    }

    [Fact]
    public async Task A_result_that_arrives_after_its_job_was_abandoned_is_freed()
    {
        var freed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var store = new ResultStore<Box>(Limits, _time, (key, _) => freed.TrySetResult(key));
        var started = NewGate();
        var finish = NewGate();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var waiting = store.AcquireAsync(
            "q",
            "",
            async _ =>
            {
                started.SetResult(new Box(0));
                return await finish.Task; // work that does not listen to its token
            },
            Timeout.InfiniteTimeSpan,
            request.Token);
        await started.Task.WaitAsync(Guard, Aborted);
        await request.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        finish.SetResult(new Box(1));

        Assert.Equal("q", await freed.Task.WaitAsync(Guard, Aborted));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Disposing_cancels_running_work_and_refuses_new_work()
    {
        var store = new ResultStore<Box>(Limits, _time);
        var cancelled = NewGate();
        var waiting = store.AcquireAsync("w", "", token => WaitForCancellation(token, NewGate()), Timeout.InfiniteTimeSpan, Aborted);
        using (await store.AcquireAsync("q", "", token => WaitForCancellation(token, cancelled), TimeSpan.Zero, Aborted))
        {
        }

        store.Dispose();

        await cancelled.Task.WaitAsync(Guard, Aborted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, store.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AcquireAsync("r", "", _ => Task.FromResult(new Box(1)), Deadline, Aborted));
    }

    private static TaskCompletionSource<Box> NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task<Box> WaitForCancellation(CancellationToken token, TaskCompletionSource<Box> cancelled)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new Box(0);
        }
        catch (OperationCanceledException)
        {
            cancelled.TrySetResult(new Box(0));
            throw;
        }
    }

    /// <summary>A store whose results weigh their value, holding up to ten of them.</summary>
    private ResultStore<Box> WeighedStore(long maxBytes) =>
        new(Limits with { MaxResults = 10, MaxBytes = maxBytes }, _time, (key, _) =>
        {
            lock (_evicted)
            {
                _evicted.Add(key);
            }
        }, weigh: box => box.Value);

    /// <summary>Gets (or computes) a result of that weight, reads it, and moves the clock on a second.</summary>
    private async Task Finish(ResultStore<Box> store, string key, int weight)
    {
        using (await store.AcquireAsync(key, "", _ => Task.FromResult(new Box(weight)), Deadline, Aborted))
        {
        }

        _time.Advance(TimeSpan.FromSeconds(1));
    }

    public sealed record Box(int Value);
}
