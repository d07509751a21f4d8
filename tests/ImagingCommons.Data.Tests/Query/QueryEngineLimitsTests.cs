using System.Diagnostics;
using DuckDB.NET.Data;
using ImagingCommons.Data.Query;
using ImagingCommons.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ImagingCommons.Data.Tests.Query;

/// <summary>
/// Cancellation, the query gate and the resume window, on real DuckDB commands that would run for hours (the slow
/// release), observed through what the engine itself reports: its log lines and its counters.
/// </summary>
public sealed class QueryEngineLimitsTests(SlowReleaseFixture slow) : IClassFixture<SlowReleaseFixture>, IDisposable
{
    /// <summary>Only a guard against a hang: every wait below ends on a signal from the engine well before it.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LogRecorder _log = new();
    private readonly List<IDisposable> _owned = [];

    private static CancellationToken Aborted => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }

    [Fact]
    public async Task An_abandoned_querys_DuckDB_command_is_interrupted_within_a_second()
    {
        var engine = NewEngine(new QueryOptions { UseSeriesTables = false });
        using var request = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var page = engine.PageAsync(Request(0, TimeSpan.FromHours(1)), 0, 10, request.Token);
        await _log.WaitForAsync("QueryStarted").WaitAsync(Guard, Aborted);
        Assert.Equal(1, engine.RunningQueries);

        // The client goes away before any 202: nobody waits for the job any more.
        var abandoned = Stopwatch.GetTimestamp();
        await request.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => page);
        var interrupted = await _log.WaitForAsync("QueryInterrupted").WaitAsync(Guard, Aborted);
        var elapsed = Stopwatch.GetElapsedTime(abandoned);

        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the command ended {elapsed.TotalMilliseconds:F0} ms after the request");
        Assert.True((long)interrupted.State["Milliseconds"]! < 1000, interrupted.Message);
        Assert.Equal(0, engine.Results.Count);
        Assert.Contains(_log.Lines, l => l.Event.Name == "JobAbandoned");
    }

    [Fact]
    public async Task With_the_gate_at_two_a_third_query_waits_for_a_slot_gets_202_and_runs_when_a_slot_frees()
    {
        var engine = NewEngine(new QueryOptions { UseSeriesTables = false, MaxConcurrentQueries = 2 });
        var deadline = TimeSpan.FromSeconds(5);
        using var firstRequest = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        var first = engine.PageAsync(Request(1, TimeSpan.FromHours(1)), 0, 10, firstRequest.Token);
        var second = engine.PageAsync(Request(2, deadline), 0, 10, Aborted);
        await _log.WaitForAsync("QueryStarted", 2).WaitAsync(Guard, Aborted);
        var third = engine.PageAsync(Request(3, deadline), 0, 10, Aborted);
        await _log.WaitForAsync("QueryQueued").WaitAsync(Guard, Aborted);

        Assert.Equal((2, 1), (engine.RunningQueries, engine.QueuedQueries));

        // Past their deadline both answer 202; the third still waits for its slot, as a job.
        _time.Advance(deadline);
        Assert.Equal(QueryStatus.Pending, (await second).Status);
        Assert.Equal(QueryStatus.Pending, (await third).Status);
        Assert.Equal((2, 1), (engine.RunningQueries, engine.QueuedQueries));
        Assert.Equal(2, _log.Named("QueryStarted").Count);

        // The first is abandoned: its slot goes to the third.
        await firstRequest.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await _log.WaitForAsync("QueryStarted", 3).WaitAsync(Guard, Aborted);

        Assert.Equal(2, engine.PeakRunningQueries);
        Assert.Equal(0, engine.QueuedQueries);
    }

    [Fact]
    public async Task A_query_that_answered_202_runs_on_for_its_caller_and_is_cancelled_once_the_resume_window_passes()
    {
        var window = TimeSpan.FromMinutes(10);
        var engine = NewEngine(new QueryOptions { UseSeriesTables = false, ResumeWindow = window });
        var deadline = TimeSpan.FromSeconds(5);
        var first = engine.PageAsync(Request(0, deadline), 0, 10, Aborted);
        await _log.WaitForAsync("QueryStarted").WaitAsync(Guard, Aborted);
        _time.Advance(deadline);
        Assert.Equal(QueryStatus.Pending, (await first).Status);

        // Within the window the job is kept for its caller, who comes back (nextPage) and joins it.
        _time.Advance(window - TimeSpan.FromMinutes(1));
        Assert.Equal(1, engine.Results.Count);
        var resume = engine.PageAsync(Request(0, deadline), 0, 10, Aborted);
        _time.Advance(deadline);
        Assert.Equal(QueryStatus.Pending, (await resume).Status);
        Assert.Single(_log.Named("QueryStarted"));

        // The resume started the window again; once it passes with nobody back, the job is cancelled.
        _time.Advance(window - TimeSpan.FromMinutes(1));
        Assert.Equal(1, engine.Results.Count);
        Assert.Empty(_log.Named("QueryInterrupted"));
        _time.Advance(TimeSpan.FromMinutes(1) + engine.Results.SweepPeriod);

        Assert.Equal(0, engine.Results.Count);
        await _log.WaitForAsync("QueryInterrupted").WaitAsync(Guard, Aborted);
    }

    [Fact]
    public async Task A_query_cannot_read_or_write_a_file_outside_the_data_directory_and_the_engine_folder()
    {
        var outside = TempFolder.Create("ic-outside");
        try
        {
            File.WriteAllText(Path.Combine(outside, "secret.csv"), "x\nsecret\n");
            File.WriteAllText(Path.Combine(slow.Release.Root, "inside.csv"), "x\ninside\n");
            var engine = NewEngine(new QueryOptions { UseSeriesTables = false, TempDirectory = TempFolder.Create("ic-engine-temp") });

            // Any connection to the engine's database, as the engine's own are: the restrictions belong to the database.
            using var connection = engine.OpenConnection();

            Assert.Equal("inside", Scalar(connection, $"SELECT x FROM read_csv({SqlText.ReadPath(Path.Combine(slow.Release.Root, "inside.csv"))})"));
            Assert.Contains("Permission Error", Refused(connection, $"SELECT x FROM read_csv({SqlText.ReadPath(Path.Combine(outside, "secret.csv"))})"), StringComparison.Ordinal);
            Assert.Contains("Permission Error", Refused(connection, $"SELECT x FROM read_csv({SqlText.ReadPath(Path.Combine(slow.Release.Root, "..", Path.GetFileName(outside), "secret.csv"))})"), StringComparison.Ordinal);
            Assert.Contains("Permission Error", Refused(connection, "SELECT count(*) FROM read_csv('/etc/passwd')"), StringComparison.Ordinal);
            Assert.Contains("Permission Error", Refused(connection, $"COPY (SELECT 1) TO {SqlText.Literal(Path.Combine(outside, "out.csv"))}"), StringComparison.Ordinal);
            Assert.Contains("Permission Error", Refused(connection, "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')"), StringComparison.Ordinal);
            Assert.Contains("Permission Error", Refused(connection, "LOAD httpfs"), StringComparison.Ordinal);
            Assert.Contains("locked", Refused(connection, "SET enable_external_access = true"), StringComparison.Ordinal);
            Assert.Contains("locked", Refused(connection, $"SET allowed_directories = {SqlText.List([outside])}"), StringComparison.Ordinal);
            Assert.Contains("locked", Refused(connection, "SET autoload_known_extensions = true"), StringComparison.Ordinal);
            Assert.Equal("false", Scalar(connection, "SELECT current_setting('autoinstall_known_extensions')::VARCHAR"));
            Assert.False(File.Exists(Path.Combine(outside, "out.csv")));
        }
        finally
        {
            TempFolder.Delete(outside);
        }
    }

    [Fact]
    public void Every_connection_of_an_engine_has_its_settings_not_only_the_first()
    {
        // A plain SET of parquet_metadata_cache held only on the connection that ran it: every query re-parsed the
        // instance table's footer (about 200 ms at full size).
        var engine = NewEngine(new QueryOptions { UseSeriesTables = false, MemoryLimit = "700MB", TempDirectory = TempFolder.Create("ic-engine-temp") });
        using var connection = engine.OpenConnection();
        Assert.Equal("true", Scalar(connection, "SELECT current_setting('parquet_metadata_cache')::VARCHAR"));
        Assert.Equal("false", Scalar(connection, "SELECT current_setting('enable_external_access')::VARCHAR"));
        Assert.Equal("667.5 MiB", Scalar(connection, "SELECT current_setting('memory_limit')::VARCHAR"));
    }

    [Fact]
    public void An_engine_deletes_the_folders_of_engines_whose_process_is_gone_and_keeps_the_others()
    {
        var root = TempFolder.Create("ic-engine-root");
        try
        {
            // Process ids above Linux's pid_max (4,194,304) are never alive.
            var gone = Directory.CreateDirectory(Path.Combine(root, "engine-2147483000-0123456789abcdef0123456789abcdef", "spill")).Parent!.FullName;
            File.WriteAllText(Path.Combine(gone, "spill", "duckdb_temp_storage_DEFAULT-0.tmp"), "spilled");
            var alive = Directory.CreateDirectory(Path.Combine(root, $"engine-{Environment.ProcessId}-fedcba9876543210fedcba9876543210")).FullName;
            var other = Directory.CreateDirectory(Path.Combine(root, "not-an-engine-2147483000")).FullName;

            _ = NewEngine(new QueryOptions { UseSeriesTables = false, TempDirectory = root });

            Assert.False(Directory.Exists(gone));
            Assert.True(Directory.Exists(alive));
            Assert.True(Directory.Exists(other));
            Assert.Equal(3, Directory.GetDirectories(root).Length);
        }
        finally
        {
            TempFolder.Delete(root);
        }
    }

    private QueryEngine NewEngine(QueryOptions options)
    {
        var factory = _log.Factory();
        _owned.Add(factory);
        var engine = new QueryEngine(slow.Release.Data, options, _time, factory.CreateLogger<QueryEngine>());
        _owned.Add(engine);
        return engine;
    }

    private static QueryRequest Request(int variant, TimeSpan deadline) => new("24.0", SlowRelease.Spec(variant), "", deadline);

    private static string? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }

    private static string Refused(DuckDBConnection connection, string sql) =>
        Assert.ThrowsAny<DuckDBException>(() => Scalar(connection, sql)).Message;
}

/// <summary>One slow release for the tests of a class.</summary>
public sealed class SlowReleaseFixture : IDisposable
{
    public SlowRelease Release { get; } = new();

    public void Dispose() => Release.Dispose();
}
