using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

public sealed class QueryEngineOptions
{
    /// <summary>Materialised results not read for this long are dropped (and recomputed if a token comes back).</summary>
    public TimeSpan ResultIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>At most this many materialised results are kept; the least recently used go first.</summary>
    public int MaxResults { get; set; } = 200;

    /// <summary>Read a release's series table (built in the background on first use) for series-level queries.</summary>
    public bool UseSeriesTables { get; set; } = true;

    /// <summary>DuckDB memory limit for the result store; beyond it DuckDB spills to its temp folder.</summary>
    public string MemoryLimit { get; set; } = "2GB";
}

/// <summary>A materialised, ordered query result: rows are numbered 0..Total-1 in the API's order.</summary>
public sealed record ResultHandle(string Key, string Release, string Table, long Total, IReadOnlyList<OutputColumn> Columns, string DisplaySql);

/// <summary>
/// Runs compiled queries with DuckDB over a release's Parquet files and materialises each result once, numbered
/// in the API's order, so that every page is a cheap range read at any depth and the same token gives the same page.
/// Releases are immutable, so a result evicted from the store can always be recomputed identically.
/// </summary>
public sealed partial class QueryEngine : IDisposable
{
    private readonly DataDirectory _data;
    private readonly QueryEngineOptions _options;
    private readonly string _storePath;
    private readonly string _connectionString;
    private readonly DuckDBConnection _keepAlive;
    private readonly ConcurrentDictionary<string, Entry> _results = new(StringComparer.Ordinal);
    private readonly SeriesIndexes _series;
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _loadedSeries = new(StringComparer.Ordinal);
    private readonly Timer _sweeper;
    private int _disposed;

    public QueryEngine(DataDirectory data, QueryEngineOptions? options = null)
    {
        _data = data;
        _options = options ?? new QueryEngineOptions();
        _series = new SeriesIndexes(data);
        var folder = Path.Combine(Path.GetTempPath(), "imagingcommons");
        Directory.CreateDirectory(folder);
        _storePath = Path.Combine(folder, $"results-{Environment.ProcessId}-{Guid.NewGuid():N}.duckdb");
        _connectionString = "DataSource=" + _storePath;
        // One open connection keeps the database instance alive for the process; queries open their own.
        _keepAlive = new DuckDBConnection(_connectionString);
        _keepAlive.Open();
        Execute(_keepAlive, $"SET memory_limit='{_options.MemoryLimit}'");
        // Spill next to the store, never into the working directory.
        Execute(_keepAlive, $"SET temp_directory={SqlText.Literal(_storePath + ".tmp")}");
        _sweeper = new Timer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public bool HoldsRelease(string release) => ReleaseVersion.TryParse(release, out _) && _data.IsHeld(release);

    public static string ResultKey(string release, QuerySpec spec)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(release + "\n" + spec.ToCanonicalJson()));
        return Convert.ToHexStringLower(bytes)[..24];
    }

    /// <summary>
    /// Starts (or joins) the materialisation of a query's result. The task keeps running when the caller stops
    /// waiting, which is how a slow query becomes a job that a later nextPage call collects.
    /// </summary>
    public Task<ResultHandle> MaterializeAsync(string release, QuerySpec spec)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var key = ResultKey(release, spec);
        var entry = _results.GetOrAdd(key, k => new Entry(new Lazy<Task<ResultHandle>>(() => Task.Run(() => Materialize(k, release, spec)))));
        entry.Touch();
        var task = entry.Task.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed run is not cached: the next caller starts afresh.
            _results.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        return task;
    }

    /// <summary>Reads rows [offset, offset+count) of a result; recomputes it first if it was evicted.</summary>
    public async Task<IReadOnlyList<object?[]>> ReadPageAsync(ResultHandle handle, QuerySpec spec, long offset, int count, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = new DuckDBConnection(_connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * EXCLUDE (__rn) FROM {handle.Table} WHERE __rn >= $1 AND __rn < $2 ORDER BY __rn";
                command.Parameters.Add(new DuckDBParameter(offset));
                command.Parameters.Add(new DuckDBParameter(offset + count));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var rows = new List<object?[]>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new object?[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }

                    rows.Add(row);
                }

                if (_results.TryGetValue(handle.Key, out var entry))
                {
                    entry.Touch();
                }

                return rows;
            }
            catch (DuckDBException) when (attempt == 0 && !_results.ContainsKey(handle.Key))
            {
                // Evicted between materialisation and this read: recompute (same release, same order, same rows).
                handle = await MaterializeAsync(handle.Release, spec).WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Distinct values of one column of a release table, NULL first then ascending, as strings.</summary>
    public async Task<IReadOnlyList<string?>> DistinctValuesAsync(string release, SourceTable table, string column, int limit, CancellationToken cancellationToken)
    {
        var schema = ApiCatalog.TableSchemaOf(table);
        var def = schema[column];
        await using var connection = new DuckDBConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var c = SqlBuilder.Q(def.Name);
        command.CommandText = $"SELECT DISTINCT {c} AS v FROM {ReleaseTables.Source(_data, release, schema)} ORDER BY v ASC NULLS FIRST LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string?>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.IsDBNull(0) ? null : ValueFormat.BigQueryString(reader.GetValue(0), def.Type));
        }

        return values;
    }

    /// <summary>Starts building a release's series table now rather than on its first query (the server warms the current one).</summary>
    public Task WarmUpAsync(string release) => _options.UseSeriesTables ? LoadSeries(release) : Task.CompletedTask;

    /// <summary>
    /// Builds (or finds) the release's series table, then copies it into the engine's own database: a native DuckDB
    /// table scans several times faster than Parquet, and at full IDC size it is about a million rows.
    /// </summary>
    private Task<string?> LoadSeries(string release) =>
        _loadedSeries.GetOrAdd(release, r => new Lazy<Task<string?>>(() => Task.Run(async () =>
        {
            if (await _series.Start(r).ConfigureAwait(false) is null)
            {
                return null;
            }

            var table = "series_" + r.Replace('.', '_');
            using var connection = new DuckDBConnection(_connectionString);
            connection.Open();
            Execute(connection, $"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet({SqlText.ReadPath(_series.TablePath(r))})");
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
        var columns = _series.TryGet(release);
        if (columns is null)
        {
            return (null, null);
        }

        return load.IsCompletedSuccessfully && load.Result is { } table
            ? (columns, table)
            : (columns, "read_parquet(" + SqlText.ReadPath(_series.TablePath(release)) + ")");
    }

    private ResultHandle Materialize(string key, string release, QuerySpec spec)
    {
        if (spec.Kind == QueryKinds.V1DicomMetadata)
        {
            return MaterializeWholeRelease(key, release, spec);
        }

        var (seriesColumns, seriesSource) = SeriesFor(release);
        var compiled = SqlBuilder.Compile(spec, seriesColumns);
        var table = "res_" + key;
        var sql = Resolve(compiled.Sql, release, seriesSource);
        var order = string.Join(", ", compiled.OrderBy.Select(o => SqlBuilder.Q(o) + " ASC NULLS FIRST"));
        var window = order.Length == 0 ? "row_number() OVER ()" : $"row_number() OVER (ORDER BY {order})";
        using var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"CREATE OR REPLACE TABLE {table} AS SELECT {window} - 1 AS __rn, * FROM ({sql}) AS q";
            foreach (var parameter in compiled.Parameters)
            {
                command.Parameters.Add(new DuckDBParameter(parameter));
            }

            command.ExecuteNonQuery();
        }

        long total;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT count(*) FROM {table}";
            total = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        TrimToCapacity(key);
        return new ResultHandle(key, release, table, total, compiled.Columns, DisplaySql(compiled, release));
    }

    /// <summary>
    /// /dicomMetadata lists every instance of a release, unfiltered: instead of a result table in the store (tens of
    /// millions of rows at full size), its ordered rows are written once per release to a Parquet file under
    /// <c>cache/dicom-metadata/</c>, and a page reads a range of that file's row numbers (about 0.2 s at any depth
    /// at full IDC size). The file survives restarts and evictions, as releases never change.
    /// </summary>
    private ResultHandle MaterializeWholeRelease(string key, string release, QuerySpec spec)
    {
        var compiled = SqlBuilder.Compile(spec);
        var folder = Path.Combine(_data.Path, "cache", "dicom-metadata");
        var path = Path.Combine(folder, SeriesIndexes.Fingerprint(_data, release) + ".parquet");
        using var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            var order = string.Join(", ", compiled.OrderBy.Select(o => SqlBuilder.Q(o) + " ASC NULLS FIRST"));
            Execute(connection, $"COPY (SELECT * FROM ({Resolve(compiled.Sql, release, null)}) AS q ORDER BY {order}) TO {SqlText.Literal(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)");
            File.Move(temp, path, overwrite: true);
        }

        long total;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT count(*) FROM read_parquet({SqlText.ReadPath(path)})";
            total = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        // Row numbers of the sorted file are the API's order; the range filter is pushed down to the row groups.
        var source = $"(SELECT * EXCLUDE (file_row_number), file_row_number AS __rn FROM read_parquet({SqlText.ReadPath(path)}, file_row_number = true))";
        return new ResultHandle(key, release, source, total, compiled.Columns, DisplaySql(compiled, release));
    }

    /// <summary>The SQL as the `sql` option shows it: release tables by name and parameters inlined (informative).</summary>
    public static string DisplaySql(CompiledQuery compiled, string release)
    {
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
            text += " ORDER BY " + string.Join(", ", compiled.OrderBy.Select(o => SqlBuilder.Q(o) + " ASC NULLS FIRST"));
        }

        return text;
    }

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

    private void TrimToCapacity(string keep)
    {
        var excess = _results.Count - _options.MaxResults;
        if (excess <= 0)
        {
            return;
        }

        foreach (var (key, _) in _results.Where(r => r.Key != keep && r.Value.Task.IsValueCreated && r.Value.Task.Value.IsCompleted)
                     .OrderBy(r => r.Value.LastUsed).Take(excess).ToList())
        {
            Evict(key);
        }
    }

    private void Sweep()
    {
        var cutoff = DateTime.UtcNow - _options.ResultIdleTimeout;
        foreach (var (key, entry) in _results)
        {
            if (entry.LastUsed < cutoff && entry.Task.IsValueCreated && entry.Task.Value.IsCompleted)
            {
                Evict(key);
            }
        }
    }

    private void Evict(string key)
    {
        if (_results.TryRemove(key, out var entry) && entry.Task.Value.IsCompletedSuccessfully && entry.Task.Value.Result.Table.StartsWith("res_", StringComparison.Ordinal))
        {
            try
            {
                using var connection = new DuckDBConnection(_connectionString);
                connection.Open();
                Execute(connection, $"DROP TABLE IF EXISTS {entry.Task.Value.Result.Table}");
            }
            catch (DuckDBException)
            {
                // A concurrent reader holds it; the next sweep or the process end removes it.
            }
        }
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sweeper.Dispose();
        _series.WaitForBuilds(TimeSpan.FromSeconds(30));
        _keepAlive.Dispose();
        foreach (var file in new[] { _storePath, _storePath + ".wal" })
        {
            try
            {
                File.Delete(file);
                if (Directory.Exists(_storePath + ".tmp"))
                {
                    Directory.Delete(_storePath + ".tmp", recursive: true);
                }
            }
            catch (IOException)
            {
                // Another handle is still closing; the temp folder is the operating system's to clean.
            }
        }
    }

    private sealed class Entry(Lazy<Task<ResultHandle>> task)
    {
        private long _lastUsedTicks = DateTime.UtcNow.Ticks;

        public Lazy<Task<ResultHandle>> Task { get; } = task;

        public DateTime LastUsed => new(Interlocked.Read(ref _lastUsedTicks), DateTimeKind.Utc);

        public void Touch() => Interlocked.Exchange(ref _lastUsedTicks, DateTime.UtcNow.Ticks);
    }
}
