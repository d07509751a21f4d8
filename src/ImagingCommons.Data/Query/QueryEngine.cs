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
    private readonly DuckDBConnection _pageReads;
    private readonly ResultStore<ResultHandle> _results;
    private readonly SemaphoreSlim _slots;
    private readonly ResultStore<ResultHandle> _windows;
    private readonly BackgroundTurn _background = new();
    private readonly BackgroundTurn _readAhead = new();
    private readonly SeriesIndexes _series;
    private readonly UidOrders _uids;
    private readonly ConcurrentDictionary<string, int[]> _uidCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<bool>> _uidSpans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _loadedSeries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _footers = new(StringComparer.Ordinal);
    private readonly ICohortTotals? _totals;
    private readonly ConcurrentDictionary<string, bool> _narrow = new(StringComparer.Ordinal);
    private long _runs;
    private int _running;
    private int _queued;
    private int _peakRunning;
    private int _disposed;

    /// <param name="totals">Totals held in memory (the facet index), for manifests of counts alone; none: counted by SQL.</param>
    public QueryEngine(DataDirectory data, QueryOptions? options = null, TimeProvider? time = null, ILogger<QueryEngine>? logger = null, ICohortTotals? totals = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _totals = totals;
        _options = options ?? new QueryOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(_options.MaxConcurrentQueries, _options.MaxConcurrentQueries);
        var build = new SeriesBuildOptions { MemoryLimit = _options.SeriesBuildMemoryLimit, Threads = _options.Threads };
        _series = new SeriesIndexes(data, build);
        _uids = new UidOrders(data, _series, new SeriesBuildOptions { MemoryLimit = _options.OrderBuildMemoryLimit, Threads = 1 });
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
            // jemalloc (linked into DuckDB, one for the process) purges the pages its threads freed in threads of its
            // own instead of keeping them resident: up to 1 GB at full size under load was neither the .NET heap nor
            // any database's duckdb_memory().
            ("allocator_background_threads", "true"),
        };
        if (_options.Threads > 0)
        {
            settings.Add(("threads", _options.Threads.ToString(CultureInfo.InvariantCulture)));
        }

        var allowed = DuckDb.Harden(_keepAlive, [data.Path, _folder], settings);
        Log.EngineHardened(_logger, string.Join(", ", allowed));

        // First pages read their series' rows in a database of their own, planned without the two optimizers that
        // read every row group's statistics of every column a scan names: over the instance table's 1,438 row groups
        // at full size they took 45 ms of a 1,000-row read's 70, for each scan, and a page of scattered series is
        // many scans. Its queries are a scan of a few row groups and a query over their rows, so nothing is lost.
        var pageSpill = Path.Combine(_folder, "page-spill");
        Directory.CreateDirectory(pageSpill);
        _pageReads = new DuckDBConnection("DataSource=:memory:");
        _pageReads.Open();
        var pageSettings = settings.Where(s => s.Item1 is not ("memory_limit" or "temp_directory")).ToList();
        pageSettings.Add(("memory_limit", SqlText.Literal(_options.PageReadMemoryLimit)));
        pageSettings.Add(("temp_directory", SqlText.Literal(pageSpill)));
        pageSettings.Add(("disabled_optimizers", SqlText.Literal("join_order,statistics_propagation")));
        DuckDb.Harden(_pageReads, [data.Path, _folder], pageSettings);
        _results = new ResultStore<ResultHandle>(ResultStoreLimits.From(_options), time ?? TimeProvider.System, DropResult, _logger, HeldBytes);
        // Windows are read page after page and passed: a store of their own, so that a listing streamed whole never
        // pushes the results out of theirs, and few of them are held (each is a table in the engine's memory).
        _windows = new ResultStore<ResultHandle>(
            ResultStoreLimits.From(_options) with { MaxResults = MaxHeldWindows, IdleTimeout = TimeSpan.FromTicks(Math.Min(_options.IdleTimeout.Ticks, WindowIdleTimeout.Ticks)) },
            time ?? TimeProvider.System, DropResult, _logger);
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

    internal ResultStore<ResultHandle> Windows => _windows;

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
        if (spec is { Kind: QueryKind.V2Manifest, Fields.Count: 0 } && _totals is not null
            && await ServeTotalsAsync(request, key, offset, count, started, cancellationToken).ConfigureAwait(false) is { } counted)
        {
            return counted;
        }

        var shape = ShapeOf(release, spec);
        if (shape.HeadFirst)
        {
            // The whole result may already be numbered (an earlier listing): read it like any page.
            using var held = _results.TryAcquireFinished(key);
            if (held is not null)
            {
                return await ServeAsync(held, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
            }

            var windowed = offset + count > HeadRows(count);
            if (!windowed)
            {
                // The first rows alone (the first page and the next few) and the exact total, without the rest.
                var needed = (int)(offset + count);
                using var head = await _results.AcquireAsync(HeadKey(key, count), request.Caller,
                    token => RunAsync(spec, key, release, (t, s) => ComputeHead(key, release, spec, needed, HeadRows(count), t, s), token), request.Deadline, cancellationToken)
                    .ConfigureAwait(false);
                if (head.Status != StoreStatus.Ready)
                {
                    return await ServeAsync(head, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
                }

                if (head.Value!.Head is { } rows)
                {
                    var after = WindowOf(Math.Min(rows.Count, HeadRows(count)), count, shape);

                    // A narrow listing's window past its first rows reads all its row groups (up to a second at full
                    // size): read once its client has read past half of those rows, not for every first page, whose
                    // next listing it would slow on 2 cores.
                    // So is the first window of a listing in SOPInstanceUID order, which reads and counts blocks of the
                    // order of its own (0.1-0.3 s at full size), and a series-table listing's, a top-N costing about
                    // what its first page did (read for every first page, it slowed the next listing's in run8 of
                    // docs/benchmarks.md; read when asked, its client waited 0.1-0.2 s for it in run19).
                    var due = (shape.Narrow && after.End - after.Start > 2L * count) || shape.ByUid || shape.BySeriesTable ? offset > rows.Count / 2 : offset == 0;
                    if (head.Value.Total > rows.Count && due)
                    {
                        // A client paging on meets the next rows read by then.
                        if (shape.ByUid && head.Value.Total < _options.SeriesReadMinimumRows)
                        {
                            // Its windows would read its rows sparse in the order (ComputeUidRows): numbered whole instead.
                            if (_options.NumberInBackground)
                            {
                                Prefetch(_results, _background, key, token => MaterializeAsync(key, release, spec, token));
                            }
                        }
                        else
                        {
                            ReadAhead(key, release, spec, after, head.Value.Total);
                        }
                    }

                    // The head may hold fewer rows than it would (the first page's alone, when more lie in too many
                    // stretches of the file): a page past them comes from its window.
                    if (offset + count <= rows.Count || rows.Count >= head.Value.Total)
                    {
                        return await ServeAsync(head, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
                    }

                    windowed = true;
                }
            }

            if (windowed)
            {
                // A later page while the listing is not numbered: from the windows of rows around it, read on their own.
                var page = await ServeFromWindowsAsync(request, key, shape, offset, count, started, "",
                    (start, end) => token => RunAsync(spec, key, release, (t, s) => ComputeWindow(key, release, spec, start, end, TotalOf(HeadKey(key, count)), t, s), token), cancellationToken)
                    .ConfigureAwait(false);
                if (page is not null)
                {
                    if (page.Status == QueryStatus.Ready && _options.NumberInBackground && shape.BySeriesTable)
                    {
                        // The client pages on through a listing of the series table: numbered in the background (in
                        // milliseconds to a second), its later visits and deep pages are range reads. An instance
                        // listing is not: windows serve it, and its numbering (seconds to minutes) would hold a slot
                        // of the gate that the next first pages wait for.
                        Prefetch(_results, _background, key, token => MaterializeAsync(key, release, spec, token));
                    }

                    return page;
                }
            }

            // No first rows or windows alone for this listing (see ComputeHead, ComputeWindow): numbered whole.
        }

        using var lease = await _results.AcquireAsync(key, request.Caller, token => MaterializeAsync(key, release, spec, token), request.Deadline, cancellationToken)
            .ConfigureAwait(false);
        return await ServeAsync(lease, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A v2 manifest of counts alone (its one row) from the totals held in memory, when they cover its filters; null:
    /// counted by SQL. Nothing is stored: a repeat is counted again (9 ms at full size against 1 ms from the store),
    /// and such one-row results would otherwise take places of the store that listings need.
    /// </summary>
    private async Task<QueryPage?> ServeTotalsAsync(QueryRequest request, string key, long offset, int count, long started, CancellationToken cancellationToken)
    {
        var (release, spec) = (request.Release, request.Spec);
        var (seriesColumns, _) = SeriesFor(release);
        if (seriesColumns is null)
        {
            return null;
        }

        // Compiled as the SQL path would, for the same columns and the same `sql` text.
        var compiled = SqlBuilder.Compile(spec, seriesColumns);
        if (compiled.Columns.Count == 0
            || await _totals!.TryTotalsAsync(release, spec.Filters, cancellationToken).ConfigureAwait(false) is not { } totals)
        {
            return null;
        }

        var row = new object?[compiled.Columns.Count];
        for (var i = 0; i < row.Length; i++)
        {
            switch (compiled.Columns[i].Name)
            {
                case "collection_count": row[i] = totals.Collections; break;
                case "patient_count": row[i] = totals.Patients; break;
                case "study_count": row[i] = totals.Studies; break;
                case "series_count": row[i] = totals.Series; break;
                case "instance_count": row[i] = totals.Instances; break;
                // SUM over no rows is NULL, as the spec has it for an empty cohort.
                case "group_size": row[i] = totals.Series == 0 ? null : totals.Bytes; break;
                default: return null;
            }
        }

        var handle = new ResultHandle(key, release, "", 1, compiled.Columns, DisplaySql(compiled, release)) { Head = [row] };
        IReadOnlyList<object?[]> rows = offset == 0 && count > 0 ? [row] : [];
        Log.QueryServed(_logger, spec.Kind, release, handle.Total, rows.Count, offset, false, Milliseconds(started));
        return new QueryPage(QueryStatus.Ready, handle, rows, false);
    }

    private async Task<QueryPage> ServeAsync(StoreLease<ResultHandle> lease, QueryRequest request, string key, ListingShape shape, long offset, int count, long started, CancellationToken cancellationToken)
    {
        var (release, spec) = (request.Release, request.Spec);
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
        if (handle is { Blocks: not null, Window: null } && offset < handle.Total)
        {
            // Numbered by series: the page's rows come from the window of rows around it (the lease keeps the
            // numbering while the window is read from it).
            return await ServeFromSeriesAsync(handle, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
        }

        if (handle.Window is { } held && offset < handle.Total && offset + count > held.End && held.End < handle.Total)
        {
            throw new InvalidOperationException($"A window of rows [{held.Start}, {held.End}) has no rows [{offset}, {offset + count}).");
        }

        var rows = await ReadRowsAsync(handle, offset, count, cancellationToken).ConfigureAwait(false);
        if (handle.Window is { } window && window.End < handle.Total)
        {
            // A client reading a window reads the next one soon: it is read while the client pages through this one.
            ReadAhead(key, release, spec, WindowOf(window.End, count, shape), handle.Total);
        }

        Log.QueryServed(_logger, spec.Kind, release, handle.Total, rows.Count, offset, lease.CacheHit, Milliseconds(started));
        return new QueryPage(QueryStatus.Ready, handle, rows, lease.CacheHit);
    }

    /// <summary>A page of a listing numbered by series (<paramref name="numbered"/>), from the windows of rows around it.</summary>
    private async Task<QueryPage> ServeFromSeriesAsync(ResultHandle numbered, QueryRequest request, string key, ListingShape shape, long offset, int count, long started, CancellationToken cancellationToken)
    {
        var (release, spec) = (request.Release, request.Spec);
        var page = await ServeFromWindowsAsync(request, key, shape with { Scattered = false }, offset, count, started, "",
            (start, end) => token => RunAsync(spec, key, release, (t, s) => ComputeWindow(key, release, spec, start, end, numbered.Total, t, s), token), cancellationToken)
            .ConfigureAwait(false);

        // An earlier read ahead, before the numbering, found no window for these rows (too many stretches of the file
        // for rows found from the series table alone); the numbering locates them.
        return page ?? await ServeFromWindowsAsync(request, key, shape with { Scattered = false }, offset, count, started, "/numbered",
            (start, end) => token => RunAsync(spec, key, release, (t, s) => WindowFromNumbering(numbered, start, end, t, s), token), cancellationToken)
            .ConfigureAwait(false)
            ?? throw new InvalidOperationException("A listing numbered by series has no window of its rows.");
    }

    /// <summary>
    /// A page from the windows that hold it (<see cref="WindowOf"/>): its own, and the next one when the page runs past
    /// its end (a page of another size than the pages before it). Null when a window has no rows alone (the listing is
    /// then numbered whole); a window still being read answers as any job does (pending, or refused).
    /// </summary>
    /// <param name="job">The job that computes a window [start, end) of the listing.</param>
    private async Task<QueryPage?> ServeFromWindowsAsync(QueryRequest request, string key, ListingShape shape, long offset, int count, long started, string suffix,
        Func<long, long, Func<CancellationToken, Task<ResultHandle>>> job, CancellationToken cancellationToken)
    {
        var (start, end) = WindowOf(offset, count, shape);
        using var window = await _windows.AcquireAsync(WindowKey(key, start, end) + suffix, request.Caller, job(start, end), request.Deadline, cancellationToken)
            .ConfigureAwait(false);
        if (window.Status == StoreStatus.Ready && window.Value!.Window is null)
        {
            return null;
        }

        if (window.Status != StoreStatus.Ready || offset + count <= end || end >= window.Value!.Total)
        {
            return await ServeAsync(window, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
        }

        var (nextStart, nextEnd) = WindowOf(end, count, shape);
        using var next = await _windows.AcquireAsync(WindowKey(key, nextStart, nextEnd) + suffix, request.Caller, job(nextStart, nextEnd), request.Deadline, cancellationToken)
            .ConfigureAwait(false);
        if (next.Status == StoreStatus.Ready && next.Value!.Window is null)
        {
            return null;
        }

        if (next.Status != StoreStatus.Ready)
        {
            return await ServeAsync(next, request, key, shape, offset, count, started, cancellationToken).ConfigureAwait(false);
        }

        var rows = new List<object?[]>(count);
        rows.AddRange(await ReadRowsAsync(window.Value, offset, (int)(end - offset), cancellationToken).ConfigureAwait(false));
        rows.AddRange(await ReadRowsAsync(next.Value!, end, (int)(offset + count - end), cancellationToken).ConfigureAwait(false));
        if (nextEnd < next.Value!.Total)
        {
            ReadAhead(key, request.Release, request.Spec, WindowOf(nextEnd, count, shape), next.Value.Total);
        }

        Log.QueryServed(_logger, request.Spec.Kind, request.Release, window.Value.Total, rows.Count, offset, window.CacheHit && next.CacheHit, Milliseconds(started));
        return new QueryPage(QueryStatus.Ready, window.Value, rows, window.CacheHit && next.CacheHit);
    }

    /// <summary>The total of a listing whose first rows (<paramref name="headKey"/>) are held; null when they are not.</summary>
    private long? TotalOf(string headKey)
    {
        using var head = _results.TryAcquireFinished(headKey);
        return head?.Value is { Head: not null } held ? held.Total : null;
    }

    /// <summary>The store entry of a listing's first rows read for pages of <paramref name="count"/>.</summary>
    private static string HeadKey(string key, int count) => string.Create(CultureInfo.InvariantCulture, $"{key}/head/{count}");

    /// <summary>The store entry of a listing's rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    internal static string WindowKey(string key, long start, long end) => string.Create(CultureInfo.InvariantCulture, $"{key}/rows/{start}-{end}");

    /// <summary>
    /// Pages a first page reads and keeps (the rows of a few more series, or a larger top-N, cost about the same): a
    /// client paging on meets them in memory while the window after them is read.
    /// </summary>
    private const int HeadPages = 10;

    /// <summary>Windows held at once (a listing read page after page holds two: the one read and the next).</summary>
    private const int MaxHeldWindows = 16;

    /// <summary>How long a window nobody reads is kept (a client paging through a listing is back within seconds).</summary>
    private static readonly TimeSpan WindowIdleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The window that holds the row at <paramref name="offset"/> for pages of <paramref name="count"/>: windows of
    /// <see cref="QueryOptions.WindowRows"/> rows (doubled until a page fits) follow one another from the listing's first
    /// row, whatever the page size, so a page lies in one window or runs on into the next (a client that asks its first
    /// page of 1,000 rows and the next of 10,000 meets the same windows), and a listing read page after page meets each
    /// window once.
    /// </summary>
    /// <remarks>
    /// A listing whose series lie scattered over the file (ordered by a URL) pays a row group for each of a window's
    /// series, so its windows are two pages; when it lies in few row groups (<see cref="ListingShape.Narrow"/>), only
    /// over the rows a first page keeps, and past them windows of <see cref="QueryOptions.WindowRows"/> from there,
    /// each of which reads those row groups at most.
    /// </remarks>
    private (long Start, long End) WindowOf(long offset, int count, ListingShape shape)
    {
        if (!shape.Scattered)
        {
            var size = WindowSize(count);
            var kept = (long)HeadRows(count);
            if (offset < size && size - kept >= count)
            {
                // The first window is cut where a first page's kept rows end: the window after them then reads only
                // rows not read yet, and sooner (a third fewer), before a client paging on reaches them. Both parts
                // hold a page or more, so a page still spans two windows at most.
                return offset < kept ? (0, kept) : (kept, size);
            }

            var start = offset / size * size;
            return (start, start + size);
        }

        var pages = 2L * Math.Max(count, 1);
        if (!shape.Narrow)
        {
            var start = offset / pages * pages;
            return (start, start + pages);
        }

        var head = (long)HeadRows(count);
        if (offset < head)
        {
            // Two-page windows up to the kept rows' end; a last one shorter than a page joins the one before it, so
            // that a page never spans more than two windows (ServeFromWindowsAsync reads from two at most).
            var last = (head - 1) / pages * pages;
            if (head - last < count && last >= pages)
            {
                last -= pages;
            }

            var start = Math.Min(offset / pages * pages, last);
            return (start, start == last ? head : start + pages);
        }

        // Past the rows a first page keeps: windows from there, so that the last two-page one ends where they begin.
        var rows = WindowSize(count);
        var from = head + ((offset - head) / rows * rows);
        return (from, from + rows);
    }

    /// <summary>The rows of a window for pages of <paramref name="count"/> (a multiple of a window of smaller pages, so theirs nest in it).</summary>
    private long WindowSize(int count)
    {
        var size = (long)_options.WindowRows;
        while (size < count)
        {
            size *= 2;
        }

        return size;
    }

    /// <summary>Starts a store entry's job in the background (nobody waits; it is kept for the resume window like a 202's job).</summary>
    /// <remarks>
    /// One at a time per kind (numberings; reads ahead), and skipped when two already wait for their turn: background
    /// work started by pages in a row (a client opening listing after listing) would otherwise hold every slot of the
    /// gate, and the next first pages would queue behind it; what is skipped is done by the page that needs it, if one
    /// comes. Reads ahead have their own turn, so that they never wait behind a numbering.
    /// </remarks>
    private void Prefetch(ResultStore<ResultHandle> store, BackgroundTurn turn, string storeKey, Func<CancellationToken, Task<ResultHandle>> job)
    {
        async Task<ResultHandle> OneAtATime(CancellationToken token)
        {
            Interlocked.Increment(ref turn.Waiting);
            try
            {
                await turn.Gate.WaitAsync(token).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref turn.Waiting);
            }

            try
            {
                return await job(token).ConfigureAwait(false);
            }
            finally
            {
                turn.Gate.Release();
            }
        }

        if (Volatile.Read(ref turn.Waiting) >= MaxWaitingInBackground)
        {
            return;
        }

        using (var finished = store.TryAcquireFinished(storeKey))
        {
            if (finished is not null)
            {
                return;
            }
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var lease = await store.AcquireAsync(storeKey, "", OneAtATime, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The engine is going away.
            }
        });
    }

    /// <summary>Background jobs of a kind that may wait for their turn; more are skipped (see <see cref="Prefetch"/>).</summary>
    private const int MaxWaitingInBackground = 2;

    /// <summary>The turn of one kind of background job: one runs at a time.</summary>
    private sealed class BackgroundTurn
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Jobs waiting for the gate (a field: Interlocked needs it).</summary>
        public int Waiting;
    }

    /// <summary>Reads a listing's window in the background (<see cref="ComputeWindow"/>).</summary>
    private void ReadAhead(string key, string release, QuerySpec spec, (long Start, long End) window, long total) =>
        Prefetch(_windows, _readAhead, WindowKey(key, window.Start, window.End),
            token => RunAsync(spec, key, release, (t, s) => ComputeWindow(key, release, spec, window.Start, window.End, total, t, s), token));

    /// <summary>How a listing's pages are served, worked out once per request (each part compiles the query).</summary>
    /// <param name="HeadFirst">Its first page is computed on its own: a listing the series table answers (a top-N of at
    /// most a million rows), or an instance listing whose first rows are the rows of its first series
    /// (<see cref="ComputeBlockHead"/>).</param>
    /// <param name="BySeriesTable">The series table answers it (its SQL reads it).</param>
    /// <param name="Scattered">An instance listing with a first page from its first series that has them scattered over
    /// the file (an order by a URL).</param>
    /// <param name="Narrow">Scattered, but within a few row groups (<see cref="LiesInFewRowGroups"/>).</param>
    /// <param name="ByUid">Ordered by SOPInstanceUID first, read from the release's <see cref="UidOrder"/> (<see cref="UidPlanFor"/>).</param>
    /// <remarks>A listing ordered by gcs_url whose series are read from the release's <see cref="UrlOrder"/>
    /// (<see cref="UrlOrderFor"/>) is scattered only when it lies in many stretches of it (<see cref="LiesInFewStretches"/>).</remarks>
    private readonly record struct ListingShape(bool HeadFirst, bool BySeriesTable, bool Scattered, bool Narrow = false, bool ByUid = false);

    private ListingShape ShapeOf(string release, QuerySpec spec)
    {
        var (columns, source) = SeriesFor(release);
        if (!_options.FirstPagesAlone || source is null)
        {
            return default;
        }

        if (UidPlanFor(release, spec) is not null)
        {
            return new ListingShape(HeadFirst: true, BySeriesTable: false, Scattered: false, ByUid: true);
        }

        var bySeriesTable = SqlBuilder.Compile(spec, columns).Sql.Contains("{series}", StringComparison.Ordinal);
        var blocks = FirstPageBlocks(release, spec);
        var scattered = blocks is not null && SeriesBlocks.For(spec, columns) is null;
        if (scattered && UrlOrderFor(release, spec, blocks!) is not null)
        {
            // Sparse in the order (its series far apart, as a modality's over many collections), its windows are
            // those of a scattered listing: two pages, each of whose series may cost a read.
            return new ListingShape(HeadFirst: true, BySeriesTable: false, Scattered: !LiesInFewStretches(release, spec, blocks!));
        }

        return new ListingShape(bySeriesTable || blocks is not null, bySeriesTable, scattered, scattered && LiesInFewRowGroups(release, spec, blocks!));
    }

    /// <summary>
    /// Whether a listing ordered by a URL lies within <see cref="QueryOptions.NarrowListingRowGroups"/> row groups of the
    /// instance table (a collection of up to about a million instances): its windows past the rows a first page keeps
    /// then read those row groups at most, so they are as large as any listing's (<see cref="WindowOf"/>: a 30,000-row
    /// window of such a collection costs about what two pages do).
    /// Worked out once per listing from the series table (a few milliseconds); it depends on the release and the query
    /// alone, so every replica and restart cuts the same windows.
    /// </summary>
    private bool LiesInFewRowGroups(string release, QuerySpec spec, SeriesBlocks blocks)
    {
        if (_options.NarrowListingRowGroups == 0)
        {
            return false;
        }

        var key = ResultKey(release, spec);
        if (_narrow.TryGetValue(key, out var known))
        {
            return known;
        }

        var (_, seriesSource) = SeriesFor(release);
        var qualifying = blocks.Qualifying(spec);
        bool narrow;
        using (var connection = Open())
        {
            narrow = SeriesBlocks.RowGroupsSpanned(connection, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, _stopping.Token) <= _options.NarrowListingRowGroups;
        }

        if (_narrow.Count >= MaxRemembered)
        {
            // A few bytes a listing, for the listings being paged: starting over costs only the look again.
            _narrow.Clear();
        }

        _narrow[key] = narrow;
        return narrow;
    }

    /// <summary>
    /// Whether a listing ordered by gcs_url lies in so few stretches of the release's <see cref="UrlOrder"/> (its series'
    /// runs there, those a row group or less apart counted as one, as a read takes them: a collection's series, all
    /// of them, are one) that a window of <see cref="QueryOptions.WindowRows"/> rows holds at most half the stretches
    /// a read may have (<see cref="SeriesBlocks.MaxHeadStretches"/>) on average. Worked out once per listing from the
    /// series table, like <see cref="LiesInFewRowGroups"/>, and as deterministic.
    /// </summary>
    private bool LiesInFewStretches(string release, QuerySpec spec, SeriesBlocks blocks)
    {
        var key = ResultKey(release, spec) + "/stretches";
        if (_narrow.TryGetValue(key, out var known))
        {
            return known;
        }

        var (_, seriesSource) = SeriesFor(release);
        var qualifying = blocks.Qualifying(spec, UrlPosition);
        bool few;
        using (var connection = Open())
        {
            var (stretches, rows) = SeriesBlocks.StretchesIn(connection, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, UrlPosition, _stopping.Token);
            few = SeriesBlocks.FewStretches(stretches, rows, _options.WindowRows);
        }

        if (_narrow.Count >= MaxRemembered)
        {
            _narrow.Clear();
        }

        _narrow[key] = few;
        return few;
    }

    /// <summary>Listings whose span <see cref="LiesInFewRowGroups"/> (or <see cref="LiesInFewStretches"/>) remembers.</summary>
    private const int MaxRemembered = 10_000;

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

    /// <summary>
    /// Waits for a release's SOPInstanceUID order (<see cref="UidOrder"/>), built after its series table, and its spans
    /// in the series table; true when the release has one. Its own wait, not part of <see cref="WarmUpAsync"/>, which the facets wait for.
    /// </summary>
    public async Task<bool> WarmUpUidOrderAsync(string release, CancellationToken cancellationToken)
    {
        if (!_options.UseSeriesTables || !_options.UidOrderIndex || !_options.FirstPagesAlone)
        {
            return false;
        }

        var table = await LoadSeries(release).WaitAsync(cancellationToken).ConfigureAwait(false);
        var order = await _uids.Start(release, _stopping.Token).WaitAsync(cancellationToken).ConfigureAwait(false);

        // Joins (or makes) the spans' update that LoadSeries starts once the order is built.
        return table is not null && order is not null && await Task.Run(() => UidSpans(release, table, order), cancellationToken).ConfigureAwait(false);
    }

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
        Task[] jobs = [.. _results.Stop(), .. _windows.Stop()];
        _stopping.Cancel();
        _series.WaitForBuilds(TimeSpan.FromSeconds(30));
        _uids.WaitForBuilds(TimeSpan.FromSeconds(30));
        try
        {
            Task.WaitAll(jobs, TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Cancelled or failed: either way stopped.
        }

        _keepAlive.Dispose();
        _pageReads.Dispose();
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

    private DuckDBConnection Open() => Duplicate(_keepAlive);

    /// <summary>A connection to the page-read database (see the constructor).</summary>
    private DuckDBConnection OpenPageReads() => Duplicate(_pageReads);

    /// <summary>Windows of the instance table's rows kept in the page-read database (see <see cref="WriteWindow"/>) are named with this.</summary>
    private const string PageWindow = "pwin";

    /// <summary>A connection to the database that holds a result table.</summary>
    private DuckDBConnection DatabaseOf(string table) => table.StartsWith(PageWindow + "_", StringComparison.Ordinal) ? OpenPageReads() : Open();

    private static DuckDBConnection Duplicate(DuckDBConnection database)
    {
        DuckDBConnection connection;
        lock (database)
        {
            connection = database.Duplicate();
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
            // DuckDB's calls block: a job of its own thread, so that jobs running for seconds never hold the thread
            // pool's few threads (2 on 2 cores), for which requests would then wait while it grows (about 0.5 s a thread).
            var handle = await Task.Factory.StartNew(() => body(token, Started), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
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
            var head = UidPlanFor(release, spec) is { } plan
                ? ComputeUidRows(key, release, plan, 0, wanted, head: true, token, started)
                : ComputeBlockHead(key, release, spec, count, wanted, token, started);
            return head ?? new ResultHandle(key, release, "", 0, compiled.Columns, DisplaySql(compiled, release));
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
        var reader = ReaderOf(release, spec, blocks);
        var qualifying = blocks.Qualifying(spec, reader.Urls is null ? [] : [UrlPosition]);
        using var connection = Open();
        if (blocks.Head(connection, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, count, wanted, token, started, PositionOf(reader)) is not { } head)
        {
            return null;
        }

        var (total, series) = head;
        List<object?[]> rows = [];
        if (series.Count > 0 && reader.Urls is not null)
        {
            // The URL order's rows join the series table, which only this database holds.
            rows = ReadSeriesRows(connection, release, reader, series, token);
        }
        else if (series.Count > 0)
        {
            using var reads = OpenPageReads();
            rows = ReadSeriesRows(reads, release, reader, series, token);
        }

        return new ResultHandle(key, release, "", total, reader.Compiled.Columns, DisplaySql(reader.Compiled, release))
        {
            Head = rows.Take(wanted).ToList(), HeadFromSeriesRows = true, FromUrlOrder = reader.Urls is not null,
        };
    }

    /// <summary>The series table's column of each series' first row in the release's <see cref="UrlOrder"/> (<see cref="UidSpans"/>).</summary>
    private const string UrlPosition = "__url_lo";

    /// <summary>The series-table column that locates a series' rows in the file <paramref name="reader"/> reads them from.</summary>
    private static string PositionOf(BlockReader reader) => reader.Urls is null ? "__first_row" : UrlPosition;

    /// <summary>How an instance listing's series' rows are read: from the release's URL order when it has it (<see cref="UrlOrderFor"/>), else from the instance table.</summary>
    private BlockReader ReaderOf(string release, QuerySpec spec, SeriesBlocks blocks)
    {
        var reader = new BlockReader(SqlBuilder.Compile(spec), blocks.AllRows);
        return UrlOrderFor(release, spec, blocks, reader) is { } urls ? reader with { Urls = urls, UrlSeriesColumns = SeriesFor(release).Columns!.Columns } : reader;
    }

    /// <summary>
    /// The release's SOPInstanceUID order, when its <see cref="UrlOrder"/> can give the rows of a listing ordered by
    /// gcs_url (with series-level columns before it, if any): built, its spans in the series table, and every column
    /// the query names given by the order or the series table (<see cref="UidOrder.Expression"/>). Null for any other
    /// listing, which reads the instance table.
    /// </summary>
    private UidOrder? UrlOrderFor(string release, QuerySpec spec, SeriesBlocks blocks, BlockReader? reader = null)
    {
        if (!_options.UidOrderIndex || blocks.AllRows || !blocks.ByGcsUrl)
        {
            return null;
        }

        var (columns, _) = SeriesFor(release);
        if (columns is null || _uids.TryGet(release, _stopping.Token) is not { Urls: not null } order
            || !_uidSpans.TryGetValue(release, out var spans) || !spans.IsValueCreated)
        {
            return null;
        }

        reader ??= new BlockReader(SqlBuilder.Compile(spec), blocks.AllRows);
        return reader.Columns.All(c => order.Expression(c, columns.Columns) is not null) ? order : null;
    }

    /// <summary>How a listing ordered by SOPInstanceUID first is read from the release's <see cref="UidOrder"/>.</summary>
    /// <param name="Reader">The query compiled over the instance table, and the columns it names.</param>
    /// <param name="Series">The release's series columns.</param>
    private sealed record UidPlan(UidOrder Order, BlockReader Reader, SeriesColumns Series, QuerySpec Spec);

    /// <summary>
    /// The plan of a listing ordered by SOPInstanceUID first (v2 manifests and v1 queries whose fields start with it)
    /// whose filters the series table evaluates and whose columns the order and the series table give, when the
    /// release's order is built; null for any other (numbered whole, or by its first series when its UIDs cluster by
    /// series). Whether each of its series has a row per instance, and whether it is large enough, is known only from
    /// its series: its job decides (<see cref="ComputeUidRows"/>).
    /// </summary>
    private UidPlan? UidPlanFor(string release, QuerySpec spec)
    {
        if (!_options.FirstPagesAlone || !_options.UidOrderIndex || spec.Kind == QueryKind.V1DicomMetadata)
        {
            return null;
        }

        var (columns, source) = SeriesFor(release);
        if (columns?.Ranges is not { } ranges || source is null || !source.StartsWith(SeriesStore + ".", StringComparison.Ordinal)
            || ranges.Clustered.Contains("SOPInstanceUID") || !SqlBuilder.SeriesCoverFilters(columns, spec.Filters))
        {
            return null;
        }

        var order = SqlBuilder.PivotOrder(spec);
        if (order.Count == 0 || order[0] != "SOPInstanceUID" || order.Any(c => c is null) || _uids.TryGet(release, _stopping.Token) is not { } uids)
        {
            return null;
        }

        if (!_uidSpans.TryGetValue(release, out var spans) || !spans.IsValueCreated)
        {
            return null;
        }

        var reader = new BlockReader(SqlBuilder.Compile(spec), AllRows: false);
        return reader.Columns.All(c => uids.Expression(c, columns.Columns) is not null) ? new UidPlan(uids, reader, columns, spec) : null;
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="end"/>) of a listing in SOPInstanceUID order (fewer at its end),
    /// read from the blocks of the order that hold them. Its series say where its rows begin and end in the order (their
    /// spans); the listing's rows in each block from there are counted (a scan of one integer column, about 1 ms per
    /// 32,768 rows at full size) as far as the rows asked for, a few blocks at a time, four times as many each time, and kept for its
    /// later windows. The query's own SQL runs over just those blocks' rows: since each of the listing's series has a row
    /// per instance and no UID is in two series, each row of the order is one result row, in the order's order, and a
    /// block's count is its result rows. Null when its rows lie sparse in the order (fewer than a 64th of the rows of
    /// its series' spans: numbered whole faster than it is read), for a window when the listing has fewer than
    /// <see cref="QueryOptions.SeriesReadMinimumRows"/> rows (numbered whole faster than its windows would read it), or
    /// when some series has an instance of several rows.
    /// </summary>
    /// <param name="head">A first page's rows: returned in <see cref="ResultHandle.Head"/>, not written as a window.</param>
    private ResultHandle? ComputeUidRows(string key, string release, UidPlan plan, long start, long end, bool head, CancellationToken token, Action started)
    {
        var (_, seriesSource) = SeriesFor(release);
        var (order, reader) = (plan.Order, plan.Reader);
        var qualifying = SqlBuilder.QualifyingSeries(plan.Spec, ["__first_row", "__rows", "__instances", "__uid_lo", "__uid_hi"], identifying: true);
        var q = "q_" + NewTable("uid", key);
        using var connection = Open();
        DuckDb.Execute(connection, $"CREATE TEMP TABLE {q} AS {Resolve(qualifying.Sql, release, seriesSource)}", token, started, [.. qualifying.Parameters]);
        using var totals = DuckDb.Command(connection,
            $"SELECT CAST(coalesce(sum(__instances), 0) AS BIGINT), coalesce(bool_and(__rows = __instances), true), CAST(coalesce(min(__uid_lo), 0) AS BIGINT), CAST(coalesce(max(__uid_hi), -1) AS BIGINT) FROM {q}");
        var (total, rowEach, lo, hi) = DuckDb.Run(
            totals,
            c =>
            {
                using var r = c.ExecuteReader();
                r.Read();
                return (r.GetInt64(0), r.GetBoolean(1), r.GetInt64(2), r.GetInt64(3));
            },
            token);
        // A first page reads the rows of the order from its first row: when the listing's rows are at least a 64th of
        // the span of its series (as a collection's are: its UIDs share their roots), a few row groups hold it. Its
        // windows read their own rows only when the listing is large too; a smaller one is numbered whole once its
        // client pages on (about a second for a million rows), faster than windows over its sparse rows would be.
        var dense = hi - lo + 1 <= MaxSpread * total;
        if (!rowEach || !dense || (!head && total < _options.SeriesReadMinimumRows))
        {
            return null;
        }

        // The listing's blocks of the order, and its rows in each as far as counted (by an earlier page, or now).
        var (from, to) = (lo / UidOrder.BlockRows, (hi / UidOrder.BlockRows) + 1);
        var counts = _uidCounts.TryGetValue(key, out var known) ? known : [];
        if (Sum(counts) < end && counts.Length < to - from)
        {
            var counted = counts.ToList();
            for (var chunk = Math.Max(16L, counted.Count * 3L); Sum(counted) < end && counted.Count < to - from; chunk *= 4)
            {
                counted.AddRange(order.Count(connection, q, from + counted.Count, Math.Min(to, from + counted.Count + chunk), token));
            }

            counts = [.. counted];
            if (counts.Length == to - from && Sum(counts) != total)
            {
                throw new InvalidDataException($"The SOPInstanceUID order of release {release} holds {Sum(counts)} rows of a listing whose series have {total}.");
            }

            if (_uidCounts.Count >= MaxUidCounts)
            {
                // Starting over costs only a count again.
                _uidCounts.Clear();
            }

            _uidCounts.AddOrUpdate(key, counts, (_, other) => other.Length >= counts.Length ? other : counts);
        }

        var (first, before) = (0, 0L);
        while (first < counts.Length && before + counts[first] <= start)
        {
            before += counts[first++];
        }

        var (last, upto) = (first, before);
        while (last < counts.Length && upto < end)
        {
            upto += counts[last++];
        }

        var expected = Math.Max(0, Math.Min(Math.Min(end, upto), total) - start);
        var compiled = reader.Compiled;
        var display = DisplaySql(compiled, release);
        var sql = Resolve(SqlOver(compiled, rowEach), release, null, pivot: "page_rows");
        var numbered = string.Create(CultureInfo.InvariantCulture,
            $"SELECT * FROM (SELECT (row_number() OVER (ORDER BY {OrderBy(compiled)}) - 1 + {before}) AS __rn, * FROM ({sql}) AS q) WHERE __rn >= {start} AND __rn < {end}");
        if (expected > 0)
        {
            // The blocks' rows first, then those of the listing's series with their series' columns: a join of the
            // series table to a few thousand rows, where a qualifying set that carried those columns cost 0.2-0.5 s at
            // full size to make and to join.
            DuckDb.Execute(connection, $"CREATE TEMP TABLE uid_rows AS {order.RowsOf(from + first, from + last)}", token);
            DuckDb.Execute(connection, $"CREATE TEMP TABLE page_rows AS {order.Columns("uid_rows", q, seriesSource!, reader.Columns, plan.Series.Columns)}", token);
        }

        if (head)
        {
            var rows = new List<object?[]>();
            if (expected > 0)
            {
                using var command = DuckDb.Command(connection, $"SELECT * EXCLUDE (__rn) FROM ({numbered}) ORDER BY __rn", [.. compiled.Parameters]);
                rows = DuckDb.Run(command, c => ReadAll(c, Row, token), token);
            }

            CheckUidRows(release, expected, rows.Count);
            return new ResultHandle(key, release, "", total, compiled.Columns, display) { Head = rows, HeadFromSeriesRows = true, FromUidOrder = true };
        }

        var table = "";
        if (expected > 0)
        {
            table = NewTable("win", key);
            DuckDb.Execute(connection, $"CREATE TABLE {table} AS {numbered}", token, null, [.. compiled.Parameters]);
            try
            {
                CheckUidRows(release, expected, Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM {table}", token), CultureInfo.InvariantCulture));
            }
            catch
            {
                DuckDb.Execute(connection, $"DROP TABLE IF EXISTS {table}", CancellationToken.None);
                throw;
            }
        }

        return new ResultHandle(key, release, table, total, compiled.Columns, display) { Window = (start, end), FromUidOrder = true };
    }

    /// <summary>The most rows of the SOPInstanceUID order per row of a listing read from it (see <see cref="ComputeUidRows"/>).</summary>
    private const long MaxSpread = 64;

    /// <summary>Listings whose counts per block of the SOPInstanceUID order are kept (at most 46 KB each at full size).</summary>
    private const int MaxUidCounts = 256;

    private static long Sum(IEnumerable<int> counts) => counts.Sum(c => (long)c);

    /// <summary>
    /// Writes each series' first and last row in the release's SOPInstanceUID order (<see cref="UidOrder.SpansPath"/>)
    /// into its series table (<c>__uid_lo</c>, <c>__uid_hi</c>), once: a listing's qualifying series then say where its
    /// rows lie in the order (a join of the spans to them cost 30-125 ms at full size, the update 0.2 s once).
    /// </summary>
    private bool UidSpans(string release, string table, UidOrder order)
    {
        var load = _uidSpans.GetOrAdd(release, _ => new Lazy<bool>(() =>
        {
            using var connection = Open();
            DuckDb.Execute(connection,
                $"UPDATE {table} AS s SET __uid_lo = p.lo, __uid_hi = p.hi FROM read_parquet({SqlText.ReadPath(order.SpansPath)}) AS p WHERE p.f = s.__first_row",
                _stopping.Token);
            if (order.Urls is { } urls)
            {
                DuckDb.Execute(connection,
                    $"UPDATE {table} AS s SET {UrlPosition} = p.lo FROM read_parquet({SqlText.ReadPath(urls.SpansPath)}) AS p WHERE p.f = s.__first_row",
                    _stopping.Token);

                // Its footer parsed and cached now (1,453 row groups at full size), not by the first page that reads it.
                DuckDb.Scalar(connection, $"SELECT count(*) FROM {urls.Source} WHERE file_row_number < 0", _stopping.Token);
            }

            return true;
        }));
        try
        {
            return load.Value;
        }
        catch
        {
            // Interrupted or failed: such listings are numbered whole until the engine starts again.
            _uidSpans.TryRemove(new KeyValuePair<string, Lazy<bool>>(release, load));
            throw;
        }
    }

    /// <summary>An order that disagrees with the series table is an error, never a short or shifted page.</summary>
    private static void CheckUidRows(string release, long expected, long read)
    {
        if (read != expected)
        {
            throw new InvalidDataException($"The SOPInstanceUID order of release {release} promises {expected} rows of a page; its query gave {read}.");
        }
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
        var table = NewTable("blk", key);
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
        var table = NewTable("res", key);
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

        if (handle.Table.Length == 0 || (handle.Blocks is not null && handle.Window is null))
        {
            // A window past the end (no rows), or a page past the end of a listing numbered by series.
            return Task.FromResult<IReadOnlyList<object?[]>>([]);
        }

        return ReadNumberedAsync(handle, offset, count, cancellationToken);
    }

    /// <summary>
    /// Rows [start, end) of a listing (fewer at its end) as a table of their own, each with its number in the whole
    /// listing, without the rest: from the numbering when the listing is numbered by series, else from the series
    /// table alone (a top-N with an offset when it answers the listing; for an instance listing, the series that hold
    /// those rows, as for a first page: <see cref="SeriesBlocks.Window"/>). A handle without
    /// <see cref="ResultHandle.Window"/> says that the listing has no window alone (it is then numbered whole).
    /// </summary>
    /// <param name="total">The listing's total when a first page or window of it has counted it (a window of the series
    /// table then reads only its own rows).</param>
    private ResultHandle ComputeWindow(string key, string release, QuerySpec spec, long start, long end, long? total, CancellationToken token, Action started)
    {
        using (var numbered = _results.TryAcquireFinished(key))
        {
            if (numbered?.Value is { Blocks: not null } bySeries)
            {
                return WindowFromNumbering(bySeries, start, end, token, started);
            }
        }

        var (seriesColumns, seriesSource) = SeriesFor(release);
        var compiled = SqlBuilder.Compile(spec, seriesColumns);
        var none = new ResultHandle(key, release, "", 0, compiled.Columns, DisplaySql(compiled, release));
        using var connection = Open();
        if (compiled.Sql.Contains("{series}", StringComparison.Ordinal))
        {
            var order = OrderBy(compiled);
            if (order.Length == 0)
            {
                return none;
            }

            var sql = Resolve(compiled.Sql, release, seriesSource);
            var table = NewTable("win", key);
            DuckDb.Execute(connection,
                string.Create(CultureInfo.InvariantCulture, $"CREATE TABLE {table} AS SELECT (row_number() OVER (ORDER BY {order}) - 1 + {start}) AS __rn, * FROM (")
                + string.Create(CultureInfo.InvariantCulture, $"SELECT * FROM ({sql}) AS q ORDER BY {order} LIMIT {end - start} OFFSET {start}) AS w"),
                token, started, [.. compiled.Parameters]);
            total ??= Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM ({sql}) AS q", token, [.. compiled.Parameters]), CultureInfo.InvariantCulture);
            return new ResultHandle(key, release, table, total.Value, compiled.Columns, DisplaySql(compiled, release)) { Window = (start, end) };
        }

        if (UidPlanFor(release, spec) is { } plan)
        {
            return ComputeUidRows(key, release, plan, start, end, head: false, token, started) ?? none;
        }

        if (FirstPageBlocks(release, spec) is not { } blocks)
        {
            return none;
        }

        var reader = ReaderOf(release, spec, blocks);
        var qualifying = blocks.Qualifying(spec, reader.Urls is null ? [] : [UrlPosition]);
        if (blocks.Window(connection, Resolve(qualifying.Sql, release, seriesSource), qualifying.Parameters, start, end, token, started, PositionOf(reader)) is not { } found)
        {
            return none;
        }

        return WriteWindow(connection, key, release, reader, found.Total, found.Series, start, end, token);
    }

    /// <summary>Rows [start, end) of a listing numbered by series: the series its numbering says hold them.</summary>
    private ResultHandle WindowFromNumbering(ResultHandle numbered, long start, long end, CancellationToken token, Action started)
    {
        using var connection = Open();
        started();
        var series = SeriesBlocks.Covering(connection, numbered.Table, start, (int)Math.Min(end - start, int.MaxValue), token);
        return WriteWindow(connection, numbered.Key, numbered.Release, numbered.Blocks!, numbered.Total, series, start, end, token) with { Blocks = numbered.Blocks };
    }

    private ResultHandle WriteWindow(DuckDBConnection connection, string key, string release, BlockReader blocks, long total, IReadOnlyList<BlockSeries> series, long start, long end, CancellationToken token)
    {
        var table = "";
        if (series.Count > 0)
        {
            // Read and kept in the page-read database, whose planner reads no row group statistics (in the engine's they
            // cost a 20,000-row window about 20 ms of its 80-100 at full size); but the URL order's rows join the series
            // table, which only the engine's database holds.
            var pageReads = blocks.Urls is null;
            table = NewTable(pageReads ? PageWindow : "win", key);
            using var reads = pageReads ? OpenPageReads() : null;
            WriteSeriesRows(reads ?? connection, release, blocks, series, table, pageReads, token);
        }

        return new ResultHandle(key, release, table, total, blocks.Compiled.Columns, DisplaySql(blocks.Compiled, release)) { Window = (start, end), FromUrlOrder = blocks.Urls is not null };
    }


    /// <summary>A result table's name: one of its own per run, so that an eviction of an earlier run never drops this one.</summary>
    private string NewTable(string kind, string key) => $"{kind}_{key}_{Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The result rows of some series in the API's order: the query's own SQL over their instance-table rows; a series
    /// table that disagrees with the instance table is an error, never a short or shifted page.
    /// </summary>
    /// <param name="connection">A connection to the page-read database.</param>
    private List<object?[]> ReadSeriesRows(DuckDBConnection connection, string release, BlockReader blocks, IReadOnlyList<BlockSeries> series, CancellationToken token)
    {
        var sql = SeriesRowsQuery(connection, release, blocks, series, pageReads: true, token);
        sql = blocks.AllRows ? sql + " ORDER BY dicom_pivot.file_row_number" : $"SELECT * FROM ({sql}) AS q ORDER BY {OrderBy(blocks.Compiled)}";
        using var command = DuckDb.Command(connection, sql, [.. blocks.Compiled.Parameters]);
        var read = DuckDb.Run(command, c => ReadAll(c, Row, token), token);
        CheckSeriesRows(release, series, read.Count);
        return read;
    }

    /// <summary>
    /// The result rows of some series as a table, each with its number in the whole listing (<c>__rn</c>, from the
    /// first series' first row), checked like <see cref="ReadSeriesRows"/>.
    /// </summary>
    private void WriteSeriesRows(DuckDBConnection connection, string release, BlockReader blocks, IReadOnlyList<BlockSeries> series, string table, bool pageReads, CancellationToken token)
    {
        var sql = SeriesRowsQuery(connection, release, blocks, series, pageReads, token);
        var first = series[0].Start.ToString(CultureInfo.InvariantCulture);
        if (blocks.AllRows)
        {
            // /dicomMetadata's SQL is one SELECT over the rows (SqlBuilder), numbered in file order, which is its order.
            const string select = "SELECT ";
            if (!sql.StartsWith(select, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The rows of /dicomMetadata are not one SELECT.");
            }

            sql = $"SELECT (row_number() OVER (ORDER BY dicom_pivot.file_row_number) - 1 + {first}) AS __rn, " + sql[select.Length..];
        }
        else
        {
            sql = $"SELECT (row_number() OVER (ORDER BY {OrderBy(blocks.Compiled)}) - 1 + {first}) AS __rn, * FROM ({sql}) AS q";
        }

        DuckDb.Execute(connection, $"CREATE TABLE {table} AS {sql}", token, null, [.. blocks.Compiled.Parameters]);
        try
        {
            CheckSeriesRows(release, series, Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM {table}", token), CultureInfo.InvariantCulture));
        }
        catch
        {
            DuckDb.Execute(connection, $"DROP TABLE IF EXISTS {table}", CancellationToken.None);
            throw;
        }
    }

    private static void CheckSeriesRows(string release, IReadOnlyList<BlockSeries> series, long read)
    {
        var expected = series.Sum(s => s.Count);
        if (read != expected)
        {
            throw new InvalidDataException($"The series table of release {release} promises {expected} rows for a page's series; the instance table gave {read}.");
        }
    }

    /// <summary>
    /// The query's own SQL over some series' instance-table rows, unordered: over the connection's <c>page_rows</c>,
    /// which it reads them into, or over their read itself when each row read is a result row of its own.
    /// </summary>
    /// <param name="pageReads">Whether the connection is to the page-read database (each database caches footers of its own).</param>
    private string SeriesRowsQuery(DuckDBConnection connection, string release, BlockReader blocks, IReadOnlyList<BlockSeries> series, bool pageReads, CancellationToken token)
    {
        // The rows are read into a table of the connection first: the query then plans for the thousands of rows it
        // gets, not for the millions of the file it reads them from (its hash tables would be sized for those).
        // Each read is a scan of its own, which holds the file's footer and a row group's buffers while it runs (about
        // 200 MB at full size until the footer is cached): a few at a time, after one scan has cached the footer.
        var (target, file, columns) = blocks.Urls is { Urls: { } urls }
            ? ("url_rows", urls.Source, UidOrder.FileColumns)
            : ("page_rows", ReleaseTables.Source(_data, release, IdcSchema.DicomPivot, withRowNumbers: true), blocks.Columns);
        var footer = (pageReads ? "pages/" : "") + (blocks.Urls is null ? "" : "urls/") + release;
        if (!_footers.ContainsKey(footer))
        {
            lock (_footers)
            {
                if (!_footers.ContainsKey(footer))
                {
                    DuckDb.Scalar(connection, $"SELECT count(*) FROM {file} WHERE file_row_number < 0", token);
                    _footers[footer] = 0;
                }
            }
        }

        var reads = SeriesBlocks.RowsOf(series, file, columns);
        var rowEach = blocks.Urls is null && series.All(s => s.Count == s.Rows);
        if (rowEach && blocks.Compiled.PerRowSql is { } perRow && reads.Count == 1)
        {
            // One result row per row read, with no hash table to size: the query reads its rows itself (a table of
            // them first cost a 20,000-row window 20-30 ms at full size).
            return Resolve(perRow, release, null, pivot: $"({reads[0]})");
        }

        DuckDb.Execute(connection, $"CREATE OR REPLACE TEMP TABLE {target} AS {reads[0]}", token);
        foreach (var more in reads.Skip(1))
        {
            DuckDb.Execute(connection, $"INSERT INTO {target} {more}", token);
        }

        if (blocks.Urls is { } order)
        {
            // Each series' span of the file is its rows, so the series need no join but the series table's, for
            // their columns; the query's own SQL then runs over the instance-table columns it names, as above.
            DuckDb.Execute(connection, $"CREATE OR REPLACE TEMP TABLE page_rows AS {order.ColumnsOf(target, SeriesFor(release).Source!, blocks.Columns, blocks.UrlSeriesColumns!)}", token);
        }

        return Resolve(SqlOver(blocks.Compiled, rowEach), release, null, pivot: "page_rows");
    }

    /// <summary>
    /// A query's SQL over some instance-table rows: one result row per row read when each is an instance of its own
    /// (<paramref name="rowEach"/>: every series read has as many rows as instances) and the output tells them apart
    /// (<see cref="CompiledQuery.PerRowSql"/>), else the query's own grouping.
    /// </summary>
    private static string SqlOver(CompiledQuery compiled, bool rowEach) => rowEach && compiled.PerRowSql is { } perRow ? perRow : compiled.Sql;

    private Task<IReadOnlyList<object?[]>> ReadNumberedAsync(ResultHandle handle, long offset, int count, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                using var connection = DatabaseOf(handle.Table);
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

    /// <summary>
    /// An estimate of the .NET heap a result's kept first rows take (the rest of a result lies in the engine's database,
    /// under its memory limit): each row's array and each value, a string at its UTF-16 length.
    /// </summary>
    internal static long HeldBytes(ResultHandle handle)
    {
        if (handle.Head is not { } rows)
        {
            return 0;
        }

        const int objectHeader = 24;
        long bytes = 0;
        foreach (var row in rows)
        {
            bytes += objectHeader + (8L * row.Length);
            foreach (var value in row)
            {
                bytes += value switch
                {
                    null => 0,
                    string text => objectHeader + ((2L * text.Length + 7) & ~7L),
                    byte[] data => objectHeader + ((data.LongLength + 7) & ~7L),
                    decimal or Guid or System.Numerics.BigInteger => 32,
                    _ => objectHeader,
                };
            }
        }

        return bytes;
    }

    /// <summary>The prefixes of the tables that results own (<see cref="NewTable"/>), dropped with them.</summary>
    private static readonly string[] ResultTables = ["res", "blk", "win", PageWindow];

    /// <summary>Frees an evicted result (the store calls it outside its lock, with the result unpinned).</summary>
    private void DropResult(string key, ResultHandle handle)
    {
        if (!ResultTables.Any(prefix => handle.Table.StartsWith(prefix + "_", StringComparison.Ordinal)) || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using var connection = DatabaseOf(handle.Table);
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
                // Each series' first and last row in the release's SOPInstanceUID order, once it is built (UidSpans).
                read = $"(SELECT s.*, {extra}, CAST(NULL AS BIGINT) AS __uid_lo, CAST(NULL AS BIGINT) AS __uid_hi, CAST(NULL AS BIGINT) AS {UrlPosition}, {keys} FROM {read} AS s POSITIONAL JOIN read_parquet({SqlText.ReadPath(ranges.Path)}) AS r)";
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
            if (_options.UidOrderIndex && _options.FirstPagesAlone && columns?.Ranges is not null)
            {
                // After the series table, on which it depends and which every query needs first; its spans then go
                // into the series table.
                _ = _uids.Start(r, token).ContinueWith(
                    built => built.Result is { } order && UidSpans(r, table, order),
                    token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

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

    /// <param name="pivot">What the instance table stands for (rows read from it), instead of the release's.</param>
    private string Resolve(string sql, string release, string? seriesSource, string? pivot = null)
    {
        if (seriesSource is not null)
        {
            sql = sql.Replace("{series}", seriesSource, StringComparison.Ordinal);
        }

        if (pivot is not null)
        {
            sql = sql.Replace("{" + IdcSchema.DicomPivot.Name + "}", pivot, StringComparison.Ordinal);
        }

        foreach (var schema in new[] { IdcSchema.DicomPivot, IdcSchema.Clinical, IdcSchema.Biospecimen })
        {
            sql = sql.Replace("{" + schema.Name + "}", ReleaseTables.Source(_data, release, schema), StringComparison.Ordinal);
        }

        return sql;
    }
}
