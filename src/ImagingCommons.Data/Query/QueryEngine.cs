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
    private readonly string _connectionString;
    private readonly DuckDBConnection _keepAlive;
    private readonly ResultStore<ResultHandle> _results;
    private readonly SemaphoreSlim _slots;
    private readonly SeriesIndexes _series;
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _loadedSeries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
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
        _series = new SeriesIndexes(data);
        _folder = Path.Combine(_options.TempRoot, $"engine-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var spill = Path.Combine(_folder, "spill");
        Directory.CreateDirectory(spill);
        DatabasePath = Path.Combine(_folder, "results.duckdb");
        _connectionString = "DataSource=" + DatabasePath;

        // One open connection keeps the database instance alive for the process; queries open their own.
        _keepAlive = new DuckDBConnection(_connectionString);
        _keepAlive.Open();
        var settings = new List<(string, string)>
        {
            ("memory_limit", SqlText.Literal(_options.MemoryLimit)),
            // Spill into the engine's own folder, never into the working directory.
            ("temp_directory", SqlText.Literal(spill)),
        };
        if (_options.Threads > 0)
        {
            settings.Add(("threads", _options.Threads.ToString(CultureInfo.InvariantCulture)));
        }

        var allowed = DuckDb.Harden(_keepAlive, [data.Path, _folder], settings);
        Log.EngineHardened(_logger, string.Join(", ", allowed));
        _results = new ResultStore<ResultHandle>(ResultStoreLimits.From(_options), time ?? TimeProvider.System, DropResult, _logger);
    }

    /// <summary>The engine's DuckDB database file (every connection to it shares its locked configuration).</summary>
    internal string DatabasePath { get; }

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
        using var lease = await _results.AcquireAsync(key, request.Caller, token => MaterializeAsync(key, release, spec, token), request.Deadline, cancellationToken)
            .ConfigureAwait(false);
        switch (lease.Status)
        {
            case StoreStatus.Refused:
                Log.QueryRefused(_logger, spec.Kind, release, _options.MaxOutstandingJobsPerCaller);
                return QueryPage.Refused;
            case StoreStatus.Pending:
                Log.QueryPending(_logger, spec.Kind, release, Milliseconds(started), key);
                return QueryPage.Pending;
        }

        var handle = lease.Value!;
        var rows = await ReadRowsAsync(handle, offset, count, cancellationToken).ConfigureAwait(false);
        Log.QueryServed(_logger, spec.Kind, release, handle.Total, rows.Count, offset, lease.CacheHit, Milliseconds(started));
        return new QueryPage(QueryStatus.Ready, handle, rows, lease.CacheHit);
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
        var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>The job of one result: waits for a slot, then computes it. Its token is the job's.</summary>
    private async Task<ResultHandle> MaterializeAsync(string key, string release, QuerySpec spec, CancellationToken token)
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
            var handle = spec.Kind == QueryKind.V1DicomMetadata ? MaterializeWholeRelease(key, release, spec, token, Started) : MaterializeNumbered(key, release, spec, token, Started);
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
    private Task<IReadOnlyList<object?[]>> ReadRowsAsync(ResultHandle handle, long offset, int count, CancellationToken cancellationToken) =>
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
        if (!handle.Table.StartsWith("res_", StringComparison.Ordinal) || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using var connection = Open();
        DuckDb.Execute(connection, $"DROP TABLE IF EXISTS {handle.Table}", CancellationToken.None);
    }

    /// <summary>
    /// Builds (or finds) the release's series table, then copies it into the engine's own database: a native DuckDB
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

            var table = "series_" + r.Replace('.', '_');
            using var connection = Open();
            DuckDb.Execute(connection, $"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({SqlText.ReadPath(_series.TablePath(r))})", token);
            return (string?)table;
        }))).Value;

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
