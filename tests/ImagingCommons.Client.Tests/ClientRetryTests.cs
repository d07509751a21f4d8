using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ImagingCommons.Client.Tests;

/// <summary>Retries against a real HTTP server that fails on purpose.</summary>
public sealed class ClientRetryTests
{
    private const string Versions = """{"code":200,"versions":[{"active":true,"data_sources":[],"date_active":"2026-05-15","idc_data_version":"24.0"}]}""";

    [Fact]
    public async Task A_500_then_a_200_is_retried_and_answers()
    {
        await using var server = await FlakyServer.StartAsync(
            new(500, """{"code":500,"message":"Exception: boom"}"""),
            new(200, Versions));
        var retries = new ConcurrentQueue<RetryNotice>();
        using var client = new ImagingCommonsClient(server.Address, new ImagingCommonsClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1), OnRetry = retries.Enqueue });

        var versions = await client.V2.GetVersionsAsync(TestContext.Current.CancellationToken);

        Assert.Equal("24.0", Assert.Single(versions).IdcDataVersion);
        Assert.Equal(["GET /v2/versions", "GET /v2/versions"], server.Requests);
        Assert.Equal(500, Assert.Single(retries).StatusCode);
    }

    [Fact]
    public async Task A_429_waits_for_its_Retry_After_before_the_next_attempt()
    {
        await using var server = await FlakyServer.StartAsync(
            new(429, """{"code":429,"message":"Too many queries of yours are still running"}""", RetryAfter: "30"),
            new(200, Versions));
        var time = new TimerSignallingTimeProvider(TimeSpan.FromSeconds(30));
        var retried = new TaskCompletionSource<RetryNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new ImagingCommonsClient(server.Address, new ImagingCommonsClientOptions
        {
            TimeProvider = time,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            OnRetry = n => retried.TrySetResult(n),
        });

        var call = client.V2.GetVersionsAsync(TestContext.Current.CancellationToken);
        var notice = await retried.Task.WaitAsync(TestContext.Current.CancellationToken);

        // The wait is the server's 30 s, not the 1 ms backoff; nothing is sent again until the clock has moved 30 s.
        Assert.Equal(TimeSpan.FromSeconds(30), notice.Delay);
        Assert.Equal(429, notice.StatusCode);
        Assert.Single(server.Requests);
        Assert.False(call.IsCompleted);

        // The retry is announced before its delay's timer exists: moving the clock before that would move it past a
        // timer not yet made, which then waits for a clock that never moves again.
        await time.TimerCreated.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Single(server.Requests);
        time.Advance(TimeSpan.FromSeconds(30));
        var versions = await call.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Equal("24.0", Assert.Single(versions).IdcDataVersion);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_4xx_is_not_retried_and_raises_with_the_server_message()
    {
        await using var server = await FlakyServer.StartAsync(new FlakyServer.Scripted(404, """{"code":404,"message":"Method does not exist."}"""));
        using var client = new ImagingCommonsClient(server.Address, new ImagingCommonsClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1) });

        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.V2.GetVersionsAsync(TestContext.Current.CancellationToken));

        Assert.Equal(404, failure.StatusCode);
        Assert.Equal("Method does not exist.", failure.ServerMessage);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Retries_give_up_after_the_limit_with_the_last_answer()
    {
        await using var server = await FlakyServer.StartAsync(new FlakyServer.Scripted(503, """{"code":503,"message":"The account store is unavailable; try again later."}"""));
        using var client = new ImagingCommonsClient(server.Address, new ImagingCommonsClientOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });

        var failure = await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.V2.GetVersionsAsync(TestContext.Current.CancellationToken));

        Assert.Equal(503, failure.StatusCode);
        Assert.Equal("The account store is unavailable; try again later.", failure.ServerMessage);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Saving_a_cohort_is_sent_once_even_when_it_fails_with_a_5xx()
    {
        await using var server = await FlakyServer.StartAsync(new FlakyServer.Scripted(500, """{"code":500,"message":"Exception: boom"}"""));
        using var client = new ImagingCommonsClient(server.Address, new ImagingCommonsClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1) });

        await Assert.ThrowsAsync<ImagingCommonsApiException>(() => client.Cohorts.CreateAsync(new Contracts.V2CohortDefinition("c"), TestContext.Current.CancellationToken));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_raised()
    {
        var retries = new ConcurrentQueue<RetryNotice>();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new ImagingCommonsClient(new Uri($"http://127.0.0.1:{port}"), new ImagingCommonsClientOptions
        {
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            OnRetry = retries.Enqueue,
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.V2.GetVersionsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.IsType<HttpRequestException>(r.Exception));
    }
}

/// <summary>A fake clock that says when a timer of a given due time has been made on it.</summary>
internal sealed class TimerSignallingTimeProvider(TimeSpan awaited) : FakeTimeProvider
{
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task TimerCreated => _created.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == awaited)
        {
            _created.TrySetResult();
        }

        return timer;
    }
}
