using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImagingCommons.Data.Query;

/// <summary>
/// Runs compiled queries with DuckDB over a release's Parquet files and materialises each result once, numbered
/// in the API's order, so that every page is a cheap range read at any depth and the same token gives the same page.
/// Releases are immutable, so a result evicted from the store can always be recomputed identically.
/// </summary>
/// <remarks>
/// <para>Results live in a <see cref="ResultStore{T}"/> (single flight, deadline, eviction, abandonment, the bound per
/// caller). At most <see cref="QueryOptions.MaxConcurrentQueries"/> queries run in DuckDB at once; the others wait
/// for a slot inside their job, so a request waiting past its deadline gets the usual 202.</para>
/// <para>Every DuckDB command runs under a token: the job's (cancelled when the job is abandoned), the request's (page
/// reads, distinct values) or the engine's (series tables, cancelled on dispose).</para>
/// <para>The engine's database (results, series tables, spill files) is a folder of its own under
/// <see cref="QueryOptions.TempDirectory"/>, locked down at start: DuckDB reads and writes files only there and in
/// the data directory, loads no extension and accepts no configuration change.</para>
/// </remarks>
public sealed partial class QueryEngine : IQueryEngine, IDisposable
{
    private readonly DataDirectory _data;
    private readonly QueryOptions _options;
    private readonly ILogger _logger;
    private readonly string _folder;
    private readonly DuckDBConnection _keepAlive;
    private readonly ResultStore<ResultHandle> _results;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _background = new(1, 1);
    private readonly SeriesIndexes _series;
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _loadedSeries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, BlockWindow> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _readingAhead = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _footers = new(StringComparer.Ordinal);
    private long _runs;
    private int _running;
    private int _queued;
    private int _peakRunning;
    private int _disposed;

    public QueryEngine(DataDirectory data, QueryOptions? options = null, TimeProvider? time = null, ILogger<QueryEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _options = options ?? new QueryOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(_options.MaxConcurrentQueries, _options.MaxConcurrentQueries);
        _series = new SeriesIndexes(data, new SeriesBuildOptions { MemoryLimit = _options.SeriesBuildMemoryLimit, Threads = _options.Threads });
        RemoveAbandonedFolders(_options.TempRoot);
        _folder = Path.Combine(_options.TempRoot, $"engine-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var spill = Path.Combine(_folder, "spill");
        Directory.CreateDirectory(spill);
        // An in-memory database (spilling into the engine's folder beyond its memory limit): results and series tables
        // are rewritten often and never needed after the process, so a file would only add its log and checkpoints.
        // One open connection keeps the database alive for the process; queries open duplicates of it.
        _keepAlive = new DuckDBConnection("DataSource=:memory:");
        _keepAlive.Open();
        // Series tables go to a database file of their own: stored compressed (at full size about 250 MB against 1.2 GB
        // as an in-memory table) and read back through the buffer pool, which drops their blocks under pressure instead
        // of spilling them, so the memory limit is left to results and reads.
        DuckDb.Execute(_keepAlive, $"ATTACH {SqlText.Literal(Path.Combine(_folder, "series.duckdb"))} AS {SeriesStore}", CancellationToken.None);
        var settings = new List<(string, string)>
        {
            ("memory_limit", SqlText.Literal(_options.MemoryLimit)),
            // Spill into the engine's own folder, never into the working directory.
            ("temp_directory", SqlText.Literal(spill)),
            // Release files never change: their footers (thousands of row groups at full size) are parsed once.
            ("parquet_metadata_cache", "true"),
        };
        if (_options.Threads > 0)
        {
            settings.Add(("threads", _options.Threads.ToString(CultureInfo.InvariantCulture)));
        }

        var allowed = DuckDb.Harden(_keepAlive, [data.Path, _folder], settings);
        Log.EngineHardened(_logger, string.Join(", ", allowed));
        _results = new ResultStore<ResultHandle>(ResultStoreLimits.From(_options), time ?? TimeProvider.System, DropResult, _logger);
    }

    /// <summary>
    /// Deletes the folders (spill files, at full size many GB) that engines of processes no longer running left behind:
    /// a process that is killed never deletes its own. A folder whose process id is alive is kept, whoever has it now.
    /// </summary>
    private static void RemoveAbandonedFolders(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(root, "engine-*"))
        {
            var parts = Path.GetFileName(folder).Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ProcessIsAlive(pid))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another engine is deleting it too, or it is not ours to delete: either way not this start's concern.
            }
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A new connection to the engine's database (every connection to it shares its locked configuration).</summary>
    internal DuckDBConnection OpenConnection() => Open();

    /// <summary>Queries executing in DuckDB now.</summary>
    internal int RunningQueries => Volatile.Read(ref _running);

    /// <summary>Queries waiting for a slot now.</summary>
    internal int QueuedQueries => Volatile.Read(ref _queued);

    /// <summary>The most queries that ever executed at once.</summary>
    internal int PeakRunningQueries => Volatile.Read(ref _peakRunning);

    internal ResultStore<ResultHandle> Results => _results;

    public bool HoldsRelease(string release) => ReleaseVersion.TryParse(release, out _) && _data.IsHeld(release);

    public static string ResultKey(string release, QuerySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(release + "\n" + spec.ToCanonicalJson()));
        return Convert.ToHexStringLower(bytes)[..24];
    }

    public async Task<QueryPage> PageAsync(QueryRequest request, long offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var started = Stopwatch.GetTimestamp();
        var (release, spec) = (request.Release, request.Spec);
        var key = ResultKey(release, spec);
        var reach = HeadReach(offset, count);
        if ((offset == 0 || reach <= MaxHeadReach) && HeadFirst(release, spec))
        {
            // The whole result may already be numbered (an earlier listing): read it like any page.
            using var held = _results.TryAcquireFinished(key);
            if (held is not null)
            {
                return await ServeAsync(held, spec, release, offset, count, started, cancellationToken).ConfigureAwait(false);
            }

            // The first rows alone (the first page and the next few, or a later page near the start while the rest is
            // numbered) and the exact total, without numbering the rest, which is then numbered in the background.
            var needed = (int)Math.Min(offset + count, int.MaxValue);
            using var head = await _results.AcquireAsync(HeadKey(key, count, reach), request.Caller,
                token => RunAsync(spec, key, release, (t, s) => ComputeHead(key, release, spec, needed, reach, t, s), token), request.Deadline, cancellationToken)
                .ConfigureAwait(false);
            if (head.Status != StoreStatus.Ready || head.Value!.Head is not null)
            {
                if (head.Status == StoreStatus.Ready && head.Value!.Total > head.Value.Head!.Count)
                {
                    Prefetch(key, token => MaterializeAsync(key, release, spec, token));
                }

                return await ServeAsync(head, spec, release, offset, count, started, cancellationToken).ConfigureAwait(false);
            }

            // No first rows alone for this listing (see ComputeHead): numbered whole like a later page.
        }

        using var lease = await _results.AcquireAsync(key, request.Caller, token => MaterializeAsync(key, release, spec, token), request.Deadline, cancellationToken)
            .ConfigureAwait(false);
        return await ServeAsync(lease, spec, release, offset, count, started, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueryPage> ServeAsync(StoreLease<ResultHandle> lease, QuerySpec spec, string release, long offset, int count, long started, CancellationToken cancellationToken)
    {
        switch (lease.Status)
        {
            case StoreStatus.Refused:
                Log.QueryRefused(_logger, spec.Kind, release, _options.MaxOutstandingJobsPerCaller);
                return QueryPage.Refused;
            case StoreStatus.Pending:
                Log.QueryPending(_logger, spec.Kind, release, Milliseconds(started), ResultKey(release, spec));
                return QueryPage.Pending;
        }

        var handle = lease.Value!;
        var rows = await ReadRowsAsync(handle, offset, count, cancellationToken).ConfigureAwait(false);
        Log.QueryServed(_logger, spec.Kind, release, handle.Total, rows.Count, offset, lease.CacheHit, Milliseconds(started));
        return new QueryPage(QueryStatus.Ready, handle, rows, lease.CacheHit);
    }

    /// <summary>The store entry of a listing's first <paramref name="reach"/> rows read for pages of <paramref name="count"/>.</summary>
    private static string HeadKey(string key, int count, int reach) =>
        string.Create(CultureInfo.InvariantCulture, $"{key}/head/{count}") + (reach == HeadRows(count) ? "" : "/" + reach.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Pages a first page reads and keeps (the rows of a few more series, or a larger top-N, cost about the same): a
    /// client paging on meets them in memory while the rest of the listing is numbered.
    /// </summary>
    private const int HeadPages = 5;

    /// <summary>
    /// The furthest row a page is read with the rows before it while the listing is numbered (a few row groups read,
    /// against the numbering's seconds); pages beyond wait for the numbering.
    /// </summary>
    private const int MaxHeadReach = 30_000;

    /// <summary>
    /// The rows read for a page at <paramref name="offset"/> before the listing is numbered: the first
    /// <see cref="HeadRows"/>, or for a page past them <see cref="MaxHeadReach"/> at once (a row group or two, about
    /// what the next step would cost), so that every page up to there shares one read.
    /// </summary>
    private static int HeadReach(long offset, int count)
    {
        var first = HeadRows(count);
        return offset + count <= first ? first : (int)Math.Max(MaxHeadReach, Math.Min(int.MaxValue, offset + count));
    }

    /// <summary>Starts a store entry's job in the background (nobody waits; it is kept for the resume window like a 202's job).</summary>
    /// <remarks>
    /// One at a time: background numberings started by first pages in a row (a client opening listing after listing)
    /// would otherwise hold every slot of the gate, and the next first pages would queue behind them.
    /// </remarks>
    private void Prefetch(string storeKey, Func<CancellationToken, Task<ResultHandle>> job)
    {
        async Task<ResultHandle> OneAtATime(CancellationToken token)
        {
            await _background.WaitAsync(token).ConfigureAwait(false);
            try
            {
                return await job(token).ConfigureAwait(false);
            }
            finally
            {
                _background.Release();
            }
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var lease = await _results.AcquireAsync(storeKey, "", OneAtATime, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The engine is going away.
            }
        });
    }

    /// <summary>
    /// Whether a first page is computed on its own: a listing the series table answers (a top-N of at most a million
    /// rows), or an instance listing whose first rows are the rows of its first series (<see cref="ComputeBlockHead"/>).
    /// </summary>
    private bool HeadFirst(string release, QuerySpec spec)
    {
        if (!_options.FirstPagesAlone)
        {
            return false;
        }

        var (columns, source) = SeriesFor(release);
        return source is not null
            && (SqlBuilder.Compile(spec, columns).Sql.Contains("{series}", StringComparison.Ordinal) || FirstPageBlocks(release, spec) is not null);
    }

    /// <summary>The plan for an instance listing's first page read from its first series' rows; null when it has none.</summary>
    private SeriesBlocks? FirstPageBlocks(string release, QuerySpec spec)
    {
        var (columns, source) = SeriesFor(release);
        return source is not null && source.StartsWith(SeriesStore + ".", StringComparison.Ordinal) ? SeriesBlocks.For(spec, columns, firstPage: true) : null;
    }

    public async Task<IReadOnlyList<string?>> DistinctValuesAsync(string release, SourceTable table, string column, int limit, CancellationToken cancellationToken)
    {
        var schema = ApiCatalog.TableSchemaOf(table);
        var def = schema[column];
        var sql = $"SELECT DISTINCT {SqlText.Identifier(def.Name)} AS v FROM {ReleaseTables.Source(_data, release, schema)} "
            + $"ORDER BY v ASC NULLS FIRST LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";

        // A scan of a whole release table: it takes a query slot like any query.
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(
                () =>
                {
                    using var connection = Open();
                    using var command = DuckDb.Command(connection, sql);
                    return DuckDb.Run(command, c => ReadAll(c, r => r.IsDBNull(0) ? null : ValueFormat.BigQueryString(r.GetValue(0), def.Type), cancellationToken), cancellationToken);
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Starts building a release's series table now rather than on its first query (the server warms the current one).</summary>
    public Task WarmUpAsync(string release, CancellationToken cancellationToken) =>
        _options.UseSeriesTables ? LoadSeries(release).WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The SQL as the `sql` option shows it: release tables by name and parameters inlined (informative).</summary>
    public static string DisplaySql(CompiledQuery compiled, string release)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        var major = release.Split('.')[0];
        var text = compiled.Sql
            .Replace("{dicom_pivot}", $"idc_v{major}.dicom_pivot", StringComparison.Ordinal)
            .Replace("{series}", $"idc_v{major}.dicom_pivot_by_series", StringComparison.Ordinal)
            .Replace("{tcga_clinical_rel9}", "idc_v4.tcga_clinical_rel9", StringComparison.Ordinal)
            .Replace("{tcga_biospecimen_rel9}", "idc_v4.tcga_biospecimen_rel9", StringComparison.Ordinal);
        // One pass over the placeholders, so that a value containing "$1" is never itself rewritten.
        text = ParameterPlaceholder().Replace(text, match =>
        {
            var index = int.Parse(match.ValueSpan[1..], CultureInfo.InvariantCulture) - 1;
            return index < compiled.Parameters.Count ? DisplayLiteral(compiled.Parameters[index]) : match.Value;
        });

        if (compiled.OrderBy.Count > 0)
        {
            text += " ORDER BY " + OrderBy(compiled);
        }

        return text;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Interrupt what runs (jobs, series builds), then wait a little for it to stop before the files go.
        var jobs = _results.Stop();
        _stopping.Cancel();
        _series.WaitForBuilds(TimeSpan.FromSeconds(30));
        try
        {
            Task.WaitAll(jobs, TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Cancelled or failed: either way stopped.
        }

        _keepAlive.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Another handle is still closing; the temp folder is the operating system's to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }

        _stopping.Dispose();
    }

    private static long Milliseconds(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private DuckDBConnection Open()
    {
        DuckDBConnection connection;
        lock (_keepAlive)
        {
            connection = _keepAlive.Duplicate();
        }

        if (connection.State != System.Data.ConnectionState.Open)
        {
            connection.Open();
        }

        return connection;
    }

    /// <summary>The job of one result: waits for a slot, then computes it. Its token is the job's.</summary>
    private Task<ResultHandle> MaterializeAsync(string key, string release, QuerySpec spec, CancellationToken token) =>
        RunAsync(spec, key, release, (t, started) =>
        {
            if (spec.Kind == QueryKind.V1DicomMetadata && BlocksFor(release, spec) is null)
            {
                return MaterializeWholeRelease(key, release, spec, t, started);
            }

            return MaterializeBlocks(key, release, spec, t, started) ?? MaterializeNumbered(key, release, spec, t, started);
        }, token);

    /// <summary>Runs a job's body after a slot of the query gate, with its logs; <c>started</c> is called when its DuckDB command runs.</summary>
    private async Task<ResultHandle> RunAsync(QuerySpec spec, string key, string release, Func<CancellationToken, Action, ResultHandle> body, CancellationToken token)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            Interlocked.Increment(ref _queued);
            Log.QueryQueued(_logger, spec.Kind, key, Volatile.Read(ref _running), _options.MaxConcurrentQueries);
            try
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.QueryCancelledWhileQueued(_logger, spec.Kind, key);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }
        }

        var running = Interlocked.Increment(ref _running);
        UpdatePeak(running);
        var started = Stopwatch.GetTimestamp();
        long cancelledAt = 0;
        using var whenCancelled = token.Register(() => Interlocked.CompareExchange(ref cancelledAt, Stopwatch.GetTimestamp(), 0));
        try
        {
            void Started() => Log.QueryStarted(_logger, spec.Kind, key, release);
            var handle = body(token, Started);
            var elapsed = Milliseconds(started);
            if (elapsed >= _options.SlowQueryThreshold.TotalMilliseconds)
            {
                Log.SlowQuery(_logger, spec.Kind, release, handle.Total, elapsed, key);
            }
            else
            {
                Log.QueryComputed(_logger, spec.Kind, release, handle.Total, elapsed, key);
            }

            return handle;
        }
        catch (OperationCanceledException exception) when (token.IsCancellationRequested)
        {
            if (exception.InnerException is not null)
            {
                // DuckDb.Run's wrapping of DuckDB's own interruption of a running command.
                Log.QueryInterrupted(_logger, spec.Kind, key, release, (long)Stopwatch.GetElapsedTime(Interlocked.Read(ref cancelledAt)).TotalMilliseconds);
            }
            else
            {
                Log.QueryCancelledWhileQueued(_logger, spec.Kind, key);
            }

            throw;
        }
        catch (Exception exception)
        {
            Log.QueryFailed(_logger, spec.Kind, key, release, Milliseconds(started), exception);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }

    /// <summary>
    /// The first rows of a result and its exact total: for a series-level listing by a top-N and a count over the
    /// series table (none when fewer rows came back); for an instance listing from the rows of its first series
    /// (<see cref="ComputeBlockHead"/>). A handle without <see cref="ResultHandle.Head"/> says that this listing has
    /// no first rows alone.
    /// </summary>
    /// <param name="count">The rows that must be read (to the end of the page asked for).</param>
    /// <param name="wanted">The rows to read and keep when they cost no more (see <see cref="HeadReach"/>).</param>
    private ResultHandle ComputeHead(string key, string release, QuerySpec spec, int count, int wanted, CancellationToken token, Action started)
    {
        var (seriesColumns, seriesSource) = SeriesFor(release);
        var compiled = SqlBuilder.Compile(spec, seriesColumns);
        if (!compiled.Sql.Contains("{series}", StringComparison.Ordinal))
        {
            return ComputeBlockHead(key, release, spec, count, wanted, token, started)
                ?? new ResultHandle(key, release, "", 0, compiled.Columns, DisplaySql(compiled, release));
        }

        var sql = Resolve(compiled.Sql, release, seriesSource);
        var order = OrderBy(compiled);
        using var connection = Open();
        List<object?[]> rows;
        using (var command = DuckDb.Command(connection, $"SELECT * FROM ({sql}) AS q{(order.Length == 0 ? "" : " ORDER BY " + order)} LIMIT {wanted.ToString(CultureInfo.InvariantCulture)}", [.. compiled.Parameters]))
        {
            rows = DuckDb.Run(command, c => ReadAll(c, Row, token), token, started);
        }

        var total = rows.Count < wanted
            ? rows.Count
            : Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM ({sql}) AS q", token, [.. compiled.Parameters]), CultureInfo.InvariantCulture);
        return new ResultHandle(key, release, "", total, compiled.Columns, DisplaySql(compiled, release)) { Head = rows };
    }

    /// <summary>
    /// An instance listing's first page from its first series alone: the series table gives the total and the series
    /// that hold the first rows (<see cref="SeriesBlocks.Head"/>), and the query's own SQL runs over just their rows.
    /// Null when the listing has no such first page.
    /// </summary>
    private ResultHandle? ComputeBlockHead(string key, string release, QuerySpec spec, int count, int wanted, CancellationToken token, Action started)
    {
        if (FirstPageBlocks(release, spec) is not { } blocks)
        {
            return null;
        }

        var (_, seriesSource) = SeriesFor(release);
        var qualifying = blocks.Qualifying(spec);
        using var connection = Open();
        if (blocks.Head(connection, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, count, wanted, token, started) is not { } head)
        {
            return null;
        }

        var (total, series) = head;

        var compiled = SqlBuilder.Compile(spec);
        var rows = series.Count == 0 ? [] : ReadSeriesRows(connection, release, new BlockReader(compiled, blocks.AllRows), series, token);
        return new ResultHandle(key, release, "", total, compiled.Columns, DisplaySql(compiled, release)) { Head = rows.Take(wanted).ToList(), HeadFromSeriesRows = true };
    }

    /// <summary>The rows a first page of <paramref name="count"/> keeps: <see cref="HeadPages"/> pages, at most 10,000 rows unless a page is more.</summary>
    private static int HeadRows(int count) => Math.Max(count, (int)Math.Min(10_000L, (long)count * HeadPages));

    /// <summary>The plan that numbers a release's listing by series, when its series table (with ranges) is loaded and the listing is one of series.</summary>
    private SeriesBlocks? BlocksFor(string release, QuerySpec spec)
    {
        if (!_options.FirstPagesAlone)
        {
            return null;
        }

        var (columns, source) = SeriesFor(release);
        return source is not null && source.StartsWith(SeriesStore + ".", StringComparison.Ordinal) ? SeriesBlocks.For(spec, columns) : null;
    }

    /// <summary>Numbers a listing by series (<see cref="SeriesBlocks"/>); null when it is not one.</summary>
    private ResultHandle? MaterializeBlocks(string key, string release, QuerySpec spec, CancellationToken token, Action started)
    {
        if (BlocksFor(release, spec) is not { } blocks)
        {
            return null;
        }

        var (_, seriesSource) = SeriesFor(release);
        var qualifying = blocks.Qualifying(spec);
        var table = $"blk_{key}_{Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture)}";
        using var connection = Open();
        var total = blocks.Number(connection, table, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, token, started);
        if (total is not { } rows)
        {
            return null;
        }

        if (!blocks.AllRows && rows < _options.SeriesReadMinimumRows)
        {
            // Smaller results are numbered whole faster than their pages are read by series.
            DuckDb.Execute(connection, $"DROP TABLE {table}", CancellationToken.None);
            return null;
        }

        var compiled = SqlBuilder.Compile(spec);
        return new ResultHandle(key, release, table, rows, compiled.Columns, DisplaySql(compiled, release)) { Blocks = new BlockReader(compiled, blocks.AllRows) };
    }

    private void UpdatePeak(int running)
    {
        int peak;
        do
        {
            peak = Volatile.Read(ref _peakRunning);
            if (running <= peak)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _peakRunning, running, peak) != peak);
    }

    /// <param name="started">Called when the query's command runs in DuckDB, interruptible by <paramref name="token"/>.</param>
    private ResultHandle MaterializeNumbered(string key, string release, QuerySpec spec, CancellationToken token, Action started)
    {
        var (seriesColumns, seriesSource) = SeriesFor(release);
        var compiled = SqlBuilder.Compile(spec, seriesColumns);
        // A table of its own per run: an eviction of an earlier run of the same query never drops this one.
        var table = $"res_{key}_{Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture)}";
        var sql = Resolve(compiled.Sql, release, seriesSource);
        var order = OrderBy(compiled);
        var window = order.Length == 0 ? "row_number() OVER ()" : $"row_number() OVER (ORDER BY {order})";
        using var connection = Open();
        DuckDb.Execute(connection, $"CREATE TABLE {table} AS SELECT {window} - 1 AS __rn, * FROM ({sql}) AS q", token, started, [.. compiled.Parameters]);
        var total = Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM {table}", token), CultureInfo.InvariantCulture);
        return new ResultHandle(key, release, table, total, compiled.Columns, DisplaySql(compiled, release));
    }

    /// <summary>
    /// /dicomMetadata lists every instance of a release, unfiltered: instead of a result table in the store (tens of
    /// millions of rows at full size), its ordered rows are written once per release to a Parquet file under
    /// <c>cache/dicom-metadata/</c>, and a page reads a range of that file's row numbers (about 0.2 s at any depth
    /// at full IDC size). The file survives restarts and evictions, as releases never change.
    /// </summary>
    private ResultHandle MaterializeWholeRelease(string key, string release, QuerySpec spec, CancellationToken token, Action started)
    {
        var compiled = SqlBuilder.Compile(spec);
        var folder = Path.Combine(_data.Path, "cache", "dicom-metadata");
        var path = Path.Combine(folder, SeriesIndexes.Fingerprint(_data, release) + ".parquet");
        using var connection = Open();
        if (File.Exists(path))
        {
            started();
        }
        else
        {
            Directory.CreateDirectory(folder);
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            try
            {
                DuckDb.Execute(connection, $"COPY (SELECT * FROM ({Resolve(compiled.Sql, release, null)}) AS q ORDER BY {OrderBy(compiled)}) TO {SqlText.Literal(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)", token, started);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        var total = Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM read_parquet({SqlText.ReadPath(path)})", token), CultureInfo.InvariantCulture);

        // Row numbers of the sorted file are the API's order; the range filter is pushed down to the row groups.
        var source = $"(SELECT * EXCLUDE (file_row_number), file_row_number AS __rn FROM read_parquet({SqlText.ReadPath(path)}, file_row_number = true))";
        return new ResultHandle(key, release, source, total, compiled.Columns, DisplaySql(compiled, release));
    }

    /// <summary>Reads rows [offset, offset+count) of a result held by a lease (so it is not evicted meanwhile).</summary>
    private Task<IReadOnlyList<object?[]>> ReadRowsAsync(ResultHandle handle, long offset, int count, CancellationToken cancellationToken)
    {
        if (handle.Head is { } head)
        {
            return Task.FromResult<IReadOnlyList<object?[]>>(offset < head.Count || offset >= handle.Total
                ? head.Skip((int)Math.Min(offset, head.Count)).Take(count).ToList()
                : throw new InvalidOperationException("A first page has no rows from " + offset.ToString(CultureInfo.InvariantCulture) + "."));
        }

        return handle.Blocks is { } blocks ? Task.Run(() => ReadBlocks(handle, blocks, offset, count, cancellationToken), cancellationToken) : ReadNumberedAsync(handle, offset, count, cancellationToken);
    }

    /// <summary>
    /// Rows [offset, offset+count) of a listing numbered by series: the query's own SQL over the rows of the series
    /// the page covers, in the API's order, sliced; a series table that disagrees with the instance table is an error,
    /// never a short or shifted page.
    /// </summary>
    private IReadOnlyList<object?[]> ReadBlocks(ResultHandle handle, BlockReader blocks, long offset, int count, CancellationToken token)
    {
        // A page usually lies in rows already read for the page before: reading a few thousand rows costs about what
        // reading one page does (a row group is decompressed either way), so each read reads ahead and is kept, and
        // a listing read page after page has its next rows read in the background before it gets there.
        // A first page is read alone, to be answered soonest; the read ahead then follows it in the background.
        var end = Math.Min(offset + count, handle.Total);
        var span = Math.Max(count, ReadAheadValues / Math.Max(handle.Columns.Count, 1));
        if (!_windows.TryGetValue(handle.Table, out var window) || offset < window.Start || end > window.Start + window.Rows.Count)
        {
            window = ReadWindow(handle, blocks, offset, offset == 0 ? count : span, token);
            if (window is null)
            {
                return [];
            }
        }

        var windowEnd = window.Start + window.Rows.Count;
        if (windowEnd < handle.Total && end + 2L * count >= windowEnd && _readingAhead.TryAdd(handle.Table + "@" + windowEnd.ToString(CultureInfo.InvariantCulture), 0))
        {
            _ = Task.Run(() =>
            {
                try
                {
                    ReadWindow(handle, blocks, windowEnd, span, _stopping.Token, keepEarlier: true);
                }
                catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or DuckDBException or InvalidOperationException)
                {
                    // Evicted or stopping meanwhile: the next page reads its rows itself.
                }
                finally
                {
                    _readingAhead.TryRemove(handle.Table + "@" + windowEnd.ToString(CultureInfo.InvariantCulture), out _);
                }
            }, CancellationToken.None);
        }

        return window.Rows.Skip((int)(offset - window.Start)).Take((int)Math.Max(end - offset, 0)).ToList();
    }

    /// <summary>
    /// Reads the whole series that cover [offset, offset + span) and keeps them as the listing's window. With
    /// <paramref name="keepEarlier"/> (a read ahead) the rows of the window it follows are kept in front, so that a
    /// page straddling both is served from memory.
    /// </summary>
    private BlockWindow? ReadWindow(ResultHandle handle, BlockReader blocks, long offset, int span, CancellationToken token, bool keepEarlier = false)
    {
        using var connection = Open();
        var series = SeriesBlocks.Covering(connection, handle.Table, offset, span, token);
        if (series.Count == 0)
        {
            return null;
        }

        var read = ReadSeriesRows(connection, handle.Release, blocks, series, token);
        var window = new BlockWindow(series[0].Start, read);
        if (keepEarlier && _windows.TryGetValue(handle.Table, out var before) && before.Start + before.Rows.Count == window.Start)
        {
            // The tail of the window before (at most a read-ahead's worth) stays in front of the new rows.
            var tail = (int)Math.Min(before.Rows.Count, read.Count);
            window = new BlockWindow(window.Start - tail, [.. before.Rows.Skip(before.Rows.Count - tail), .. read]);
        }

        KeepWindow(handle.Table, window);
        return window;
    }

    /// <summary>
    /// The result rows of some series in the API's order: the query's own SQL over their instance-table rows; a series
    /// table that disagrees with the instance table is an error, never a short or shifted page.
    /// </summary>
    private List<object?[]> ReadSeriesRows(DuckDBConnection connection, string release, BlockReader blocks, IReadOnlyList<BlockSeries> series, CancellationToken token)
    {
        // The rows are read into a table of the connection first: the query then plans for the thousands of rows it
        // gets, not for the millions of the file it reads them from (its hash tables would be sized for those).
        // Each read is a scan of its own, which holds the file's footer and a row group's buffers while it runs (about
        // 200 MB at full size until the footer is cached): a few at a time, after one scan has cached the footer.
        var source = ReleaseTables.Source(_data, release, IdcSchema.DicomPivot, withRowNumbers: true);
        if (!_footers.ContainsKey(release))
        {
            lock (_footers)
            {
                if (!_footers.ContainsKey(release))
                {
                    DuckDb.Scalar(connection, $"SELECT count(*) FROM {source} WHERE file_row_number < 0", token);
                    _footers[release] = 0;
                }
            }
        }

        var reads = SeriesBlocks.RowsOf(series, source, blocks.Columns);
        DuckDb.Execute(connection, $"CREATE OR REPLACE TEMP TABLE page_rows AS {reads[0]}", token);
        foreach (var more in reads.Skip(1))
        {
            DuckDb.Execute(connection, $"INSERT INTO page_rows {more}", token);
        }

        var sql = Resolve(blocks.Compiled.Sql.Replace("{dicom_pivot}", "page_rows", StringComparison.Ordinal), release, null);
        sql = blocks.AllRows ? sql + " ORDER BY dicom_pivot.file_row_number" : $"SELECT * FROM ({sql}) AS q ORDER BY {OrderBy(blocks.Compiled)}";
        using var command = DuckDb.Command(connection, sql, [.. blocks.Compiled.Parameters]);
        var read = DuckDb.Run(command, c => ReadAll(c, Row, token), token);
        var expected = series.Sum(s => s.Count);
        if (read.Count != expected)
        {
            throw new InvalidDataException($"The series table of release {release} promises {expected} rows for a page's series; the instance table gave {read.Count}.");
        }

        return read;
    }

    /// <summary>Values read ahead per page read of a listing numbered by series (rows × columns).</summary>
    private const int ReadAheadValues = 65_536;

    /// <summary>Listings whose read-ahead rows are kept (one window each; the oldest go first).</summary>
    private const int MaxWindows = 32;

    private void KeepWindow(string table, BlockWindow window)
    {
        _windows[table] = window;
        while (_windows.Count > MaxWindows)
        {
            var oldest = _windows.MinBy(w => w.Value.Stamp);
            _windows.TryRemove(oldest.Key, out _);
        }
    }

    /// <summary>Rows [Start, Start + Rows.Count) of a listing numbered by series: whole series, as the last read read them.</summary>
    private sealed record BlockWindow(long Start, IReadOnlyList<object?[]> Rows)
    {
        public long Stamp { get; } = Stopwatch.GetTimestamp();
    }

    private Task<IReadOnlyList<object?[]>> ReadNumberedAsync(ResultHandle handle, long offset, int count, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                using var connection = Open();
                using var command = DuckDb.Command(connection, $"SELECT * EXCLUDE (__rn) FROM {handle.Table} WHERE __rn >= $1 AND __rn < $2 ORDER BY __rn", offset, offset + count);
                IReadOnlyList<object?[]> rows = DuckDb.Run(command, c => ReadAll(c, Row, cancellationToken), cancellationToken);
                return rows;
            },
            cancellationToken);

    private static object?[] Row(DuckDBDataReader reader)
    {
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return row;
    }

    private static List<T> ReadAll<T>(DuckDBCommand command, Func<DuckDBDataReader, T> read, CancellationToken cancellationToken)
    {
        using var reader = (DuckDBDataReader)command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Frees an evicted result (the store calls it outside its lock, with the result unpinned).</summary>
    private void DropResult(string key, ResultHandle handle)
    {
        if (!(handle.Table.StartsWith("res_", StringComparison.Ordinal) || handle.Table.StartsWith("blk_", StringComparison.Ordinal)) || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _windows.TryRemove(handle.Table, out _);
        using var connection = Open();
        DuckDb.Execute(connection, $"DROP TABLE IF EXISTS {handle.Table}", CancellationToken.None);
    }

    /// <summary>
    /// Builds (or finds) the release's series table, then copies it into the engine's series store: a native DuckDB
    /// table scans several times faster than Parquet, and at full IDC size it is about a million rows.
    /// </summary>
    private Task<string?> LoadSeries(string release) =>
        _loadedSeries.GetOrAdd(release, r => new Lazy<Task<string?>>(() => Task.Run(async () =>
        {
            var token = _stopping.Token;
            if (await _series.Start(r, token).ConfigureAwait(false) is null)
            {
                return null;
            }

            var table = $"{SeriesStore}.series_{r.Replace('.', '_')}";
            var columns = await _series.Start(r, token).ConfigureAwait(false);
            var read = $"read_parquet({SqlText.ReadPath(_series.TablePath(r))})";
            if (columns?.Ranges is { } ranges)
            {
                // Each series with where its rows are: both files hold the series in the same order (their
                // identifiers, unique), so they are joined by position; the identifiers are compared to make sure.
                var extra = string.Join(", ", new[] { "__rows", "__first_row", "__uniform" }.Concat(ranges.Clustered.Select(SeriesRanges.LeastOf)).Select(c => "r." + SqlText.Identifier(c)));
                var keys = string.Join(", ", SeriesColumns.Keys.Select((k, i) => $"r.{SqlText.Identifier(k)} AS __k{i.ToString(CultureInfo.InvariantCulture)}"));
                read = $"(SELECT s.*, {extra}, {keys} FROM {read} AS s POSITIONAL JOIN read_parquet({SqlText.ReadPath(ranges.Path)}) AS r)";
            }

            using var connection = Open();
            DuckDb.Execute(connection, $"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {read}", token);
            if (columns?.Ranges is not null)
            {
                var same = string.Join(" AND ", SeriesColumns.Keys.Select((k, i) => $"{SqlText.Identifier(k)} IS NOT DISTINCT FROM __k{i.ToString(CultureInfo.InvariantCulture)}"));
                if (DuckDb.Scalar(connection, $"SELECT coalesce(bool_and({same}), true) FROM {table}", token) is not true)
                {
                    throw new InvalidDataException($"The series ranges of release {r} do not follow its series table.");
                }

                foreach (var i in Enumerable.Range(0, SeriesColumns.Keys.Count))
                {
                    DuckDb.Execute(connection, $"ALTER TABLE {table} DROP COLUMN __k{i.ToString(CultureInfo.InvariantCulture)}", token);
                }
            }

            DuckDb.Execute(connection, $"CHECKPOINT {SeriesStore}", token);

            return (string?)table;
        }))).Value;

    /// <summary>The attached database of the engine's series tables (<see cref="LoadSeries"/>).</summary>
    private const string SeriesStore = "series_store";

    /// <summary>The series table to read for a release: native when loaded, its Parquet file while loading, none before it is built.</summary>
    private (SeriesColumns? Columns, string? Source) SeriesFor(string release)
    {
        if (!_options.UseSeriesTables)
        {
            return (null, null);
        }

        var load = LoadSeries(release);
        var columns = _series.TryGet(release, _stopping.Token);
        if (columns is null)
        {
            return (null, null);
        }

        return load.IsCompletedSuccessfully && load.Result is { } table
            ? (columns, table)
            : (columns, "read_parquet(" + SqlText.ReadPath(_series.TablePath(release)) + ")");
    }

    private static string OrderBy(CompiledQuery compiled) =>
        string.Join(", ", compiled.OrderBy.Select(o => SqlText.Identifier(o) + " ASC NULLS FIRST"));

    /// <summary>A value as a literal of the displayed SQL; a NUL, which no quoted literal can hold, is spliced in with chr(0).</summary>
    private static string DisplayLiteral(object value) => value switch
    {
        string s => string.Join(" || chr(0) || ", s.Split('\0').Select(SqlText.Literal)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    [GeneratedRegex(@"\$[0-9]+")]
    private static partial Regex ParameterPlaceholder();

    private string Resolve(string sql, string release, string? seriesSource)
    {
        if (seriesSource is not null)
        {
            sql = sql.Replace("{series}", seriesSource, StringComparison.Ordinal);
        }

        foreach (var schema in new[] { IdcSchema.DicomPivot, IdcSchema.Clinical, IdcSchema.Biospecimen })
        {
            sql = sql.Replace("{" + schema.Name + "}", ReleaseTables.Source(_data, release, schema), StringComparison.Ordinal);
        }

        return sql;
    }
}
