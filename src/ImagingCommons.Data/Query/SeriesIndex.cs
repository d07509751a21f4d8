using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>
/// The dicom_pivot columns that hold one value per series in a release, available in its series table: a query whose
/// filters and outputs use only these (and needs no instance-level column) reads one row per series instead of one
/// per instance, about fifty times fewer.
/// </summary>
/// <param name="Ranges">Where each series' rows are in the instance table, when the release is laid out by
/// <see cref="ReleaseLayout"/> (every series one run of rows); null otherwise.</param>
public sealed record SeriesColumns(IReadOnlySet<string> Columns, SeriesRanges? Ranges = null)
{
    /// <summary>The identifiers every series row carries.</summary>
    public static readonly IReadOnlyList<string> Keys = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID"];

    public bool Covers(IEnumerable<string> columns) => columns.All(Columns.Contains);
}

/// <summary>
/// A release's series ranges file (<c>cache/series/…ranges.parquet</c>): for each series, in the series table's order
/// (its identifiers), the run of instance-table rows it occupies (<c>__first_row</c>, <c>__rows</c>), whether every
/// row of each of its instances agrees on the instance's own columns (<c>__uniform</c>; false only for a malformed
/// multi-row instance), and the least value of each <see cref="Clustered"/> column.
/// </summary>
/// <param name="Clustered">Instance-level columns whose values never interleave between series (each series' values
/// lie in an interval no other series' values enter, and none is NULL) and that have one distinct value per instance
/// in every series: a listing ordered by one of them is a listing of series ordered by their least value, each series'
/// rows sorted inside it, and a listing of one of them alone has a row per instance.</param>
public sealed record SeriesRanges(string Path, IReadOnlySet<string> Clustered)
{
    /// <summary>Instance-level columns whose clustering is checked: identifiers that often embed their series' identity (IDC's URLs do).</summary>
    public static readonly IReadOnlyList<string> ClusterCandidates = ["SOPInstanceUID", "crdc_instance_uuid", "gcs_url", "aws_url"];

    /// <summary>The ranges file's column holding a clustered column's least value per series.</summary>
    public static string LeastOf(string column) => "__min_" + column;
}

/// <summary>
/// Builds and finds each release's series table: a cache of dicom_pivot grouped by series (never a second truth),
/// written once per release under <c>cache/series/</c> in the data directory and rebuilt if the release's file changes.
/// A column enters it only when the release really has one value per series for it; what varies inside a series
/// (instance UIDs, URLs, sizes, SR measurements, often SliceThickness) stays on the instance table.
/// </summary>
/// <remarks>
/// <para>One build per data directory: a builder holds <c>&lt;table&gt;.lock</c> (an advisory lock, freed if its
/// process dies) while it writes, and every other process or instance that needs the same table waits on the lock,
/// then reads what the builder wrote. Files appear by rename, so nobody reads half a table.</para>
/// <para>The build runs in a DuckDB database of its own under a memory limit (<see cref="SeriesBuildOptions"/>),
/// spilling into a work folder beside the cache, so the peak memory of a first start on a new release is bounded.</para>
/// </remarks>
public sealed class SeriesIndexes
{
    /// <summary>The cache format: part of every file name, so a server with another format never reads these files.</summary>
    private const string Format = "s3";

    /// <summary>Columns that are instance-level by definition: never candidates, whatever a release holds.</summary>
    private static readonly HashSet<string> InstanceLevel = ["SOPInstanceUID", "crdc_instance_uuid", "gcs_url", "aws_url", "instance_size", "gcs_generation", "instance_hash"];

    /// <summary>Instance-level columns that describe the instance's file: the same on every row of one instance in a well-formed release.</summary>
    internal static readonly IReadOnlyList<string> InstanceColumns = ["SOPInstanceUID", "crdc_instance_uuid", "gcs_url", "aws_url", "instance_size", "gcs_generation", "instance_hash"];

    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(200);

    private readonly DataDirectory _data;
    private readonly SeriesBuildOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<SeriesColumns?>>> _builds = new(StringComparer.Ordinal);

    public SeriesIndexes(DataDirectory data, SeriesBuildOptions? options = null)
    {
        _data = data;
        _options = options ?? new SeriesBuildOptions();
    }

    public string TablePath(string release) => Path.Combine(CacheFolder, Fingerprint(_data, release) + "-" + Format + ".parquet");

    private string RangesPath(string release) => Path.ChangeExtension(TablePath(release), ".ranges.parquet");

    private string InfoPath(string release) => Path.ChangeExtension(TablePath(release), ".json");

    private string CacheFolder => Path.Combine(_data.Path, "cache", "series");

    /// <summary>The release's series columns when its table is ready; null (and a build started) when it is not.</summary>
    public SeriesColumns? TryGet(string release, CancellationToken cancellationToken = default)
    {
        var build = Start(release, cancellationToken);
        return build.IsCompletedSuccessfully ? build.Result : null;
    }

    /// <summary>Starts (or joins) the build of a release's series table; the task ends with its columns.</summary>
    /// <param name="cancellationToken">Interrupts the build (the token of the call that starts it counts).</param>
    public Task<SeriesColumns?> Start(string release, CancellationToken cancellationToken = default) =>
        _builds.GetOrAdd(release, r => new Lazy<Task<SeriesColumns?>>(() => Task.Run(() => LoadOrBuild(r, cancellationToken), cancellationToken))).Value;

    /// <summary>Waits (a bounded time) for builds under way, so that nothing writes into the data directory after its owner stops.</summary>
    public void WaitForBuilds(TimeSpan timeout)
    {
        var running = _builds.Values.Where(b => b.IsValueCreated).Select(b => b.Value).Where(t => !t.IsCompleted).ToArray();
        try
        {
            Task.WaitAll(running, timeout);
        }
        catch (AggregateException)
        {
            // A failed build only means queries read the instance table.
        }
    }

    private SeriesColumns? LoadOrBuild(string release, CancellationToken token)
    {
        var pivot = _data.TablePath(release, IdcSchema.DicomPivotName);
        if (!File.Exists(pivot))
        {
            return null;
        }

        if (Load(release) is { } ready)
        {
            return ready;
        }

        Directory.CreateDirectory(CacheFolder);
        using (AcquireLock(TablePath(release) + ".lock", token))
        {
            // Another process (or another instance here) may have built it while this one waited.
            return Load(release) ?? Build(release, token);
        }
    }

    private SeriesColumns? Load(string release)
    {
        var info = InfoPath(release);
        if (!File.Exists(TablePath(release)) || !File.Exists(info))
        {
            return null;
        }

        var stored = JsonSerializer.Deserialize<SeriesInfo>(File.ReadAllText(info))!;
        var columns = new HashSet<string>(stored.Columns, StringComparer.Ordinal);
        columns.UnionWith(SeriesColumns.Keys);
        var ranges = stored.Clustered is { } clustered && File.Exists(RangesPath(release))
            ? new SeriesRanges(RangesPath(release), new HashSet<string>(clustered, StringComparer.Ordinal))
            : null;
        return new SeriesColumns(columns, ranges);
    }

    /// <summary>Waits for the exclusive lock of a build (polling: an advisory lock has no wait with a timeout in .NET).</summary>
    internal static FileStream AcquireLock(string path, CancellationToken token)
    {
        while (true)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Held by the builder: what it builds will be there when it lets go.
                token.WaitHandle.WaitOne(LockPoll);
            }
        }
    }

    private SeriesColumns Build(string release, CancellationToken token)
    {
        var pivot = _data.TablePath(release, IdcSchema.DicomPivotName);
        var sorted = ReleaseLayout.IsSorted(_data.ReadReleaseInfo(release));
        var table = TablePath(release);
        var candidates = IdcSchema.DicomPivot.Columns
            .Where(c => c.Type != ColumnType.StringList && !InstanceLevel.Contains(c.Name) && !SeriesColumns.Keys.Contains(c.Name))
            .ToList();
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var work = Path.Combine(CacheFolder, ".work-" + Guid.NewGuid().ToString("N"));
        var suffix = ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            // It reads the release and writes the cache, both inside the data directory; nothing else. Its memory is
            // bounded: beyond the limit DuckDB spills the aggregation into the work folder.
            _options.Harden(connection, _data.Path, work);
            var keys = string.Join(", ", SeriesColumns.Keys.Select(SqlText.Identifier));
            var source = sorted ? ReleaseTables.Source(_data, release, IdcSchema.DicomPivot, withRowNumbers: true) : ReleaseTables.Source(_data, release, IdcSchema.DicomPivot);
            var aggregates = candidates.Select((c, i) =>
            {
                var q = SqlText.Identifier(c.Name);
                return $"min({q}) AS {q}, (min({q}) IS NOT DISTINCT FROM max({q}) AND (count({q}) = 0 OR count({q}) = count(*))) AS k{i.ToString(CultureInfo.InvariantCulture)}";
            }).ToList();
            if (sorted)
            {
                // Where each series' rows are, and the interval of each clustering candidate.
                aggregates.Add("min(file_row_number) AS __first_row, max(file_row_number) AS __last_row, true AS __uniform");
                aggregates.AddRange(SeriesRanges.ClusterCandidates.Select(c =>
                    $"min({SqlText.Identifier(c)}) AS {SqlText.Identifier(SeriesRanges.LeastOf(c))}, max({SqlText.Identifier(c)}) AS {SqlText.Identifier("__max_" + c)}, "
                    + $"count({SqlText.Identifier(c)}) AS {SqlText.Identifier("__n_" + c)}, count(DISTINCT {SqlText.Identifier(c)}) AS {SqlText.Identifier("__d_" + c)}"));
            }

            // By parts, so that the aggregation's state is a part's, not the release's: runs of rows of a sorted release
            // (each read skips the other row groups), else partitions of the series by a hash of their identifiers.
            // Each part's series go to a file of their own in the work folder, never into memory all at once.
            Directory.CreateDirectory(work);
            var aggregate = $"SELECT {keys}, count(*) AS __rows, count(DISTINCT \"SOPInstanceUID\") AS __instances, "
                + $"CAST(sum(instance_size) AS BIGINT) AS __size, {string.Join(", ", aggregates)} FROM {source}";
            var parts = sorted ? RowRanges(connection, pivot, token) : HashParts(release, keys);
            var files = new List<string>();
            for (var i = 0; i < parts.Count; i++)
            {
                files.Add(Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"part-{i}.parquet")));
                Execute(connection, token, $"COPY ({aggregate} WHERE {parts[i]} GROUP BY {keys}) TO {SqlText.Literal(files[^1])} (FORMAT parquet)");
            }

            var series = $"read_parquet({SqlText.List(files)})";
            if (sorted)
            {
                // A series cut by a part's edge has a row from each part: aggregate it again over its own run of rows.
                var cut = new List<(object?[] Key, long First, long Last)>();
                using (var command = DuckDb.Command(connection, $"SELECT {keys}, min(__first_row), max(__last_row) FROM {series} GROUP BY {keys} HAVING count(*) > 1"))
                {
                    DuckDb.Run(
                        command,
                        c =>
                        {
                            using var reader = c.ExecuteReader();
                            while (reader.Read())
                            {
                                cut.Add(([.. Enumerable.Range(0, 4).Select(reader.GetValue)], reader.GetInt64(4), reader.GetInt64(5)));
                            }

                            return 0;
                        },
                        token);
                }

                if (cut.Count > 0)
                {
                    var match = string.Join(" AND ", SeriesColumns.Keys.Select((k, i) => $"{SqlText.Identifier(k)} = ${(i + 1).ToString(CultureInfo.InvariantCulture)}"));
                    var whole = new List<string>();
                    foreach (var (key, first, last) in cut)
                    {
                        whole.Add(Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"cut-{whole.Count}.parquet")));
                        DuckDb.Execute(connection,
                            $"COPY ({aggregate} WHERE file_row_number BETWEEN {first.ToString(CultureInfo.InvariantCulture)} AND {last.ToString(CultureInfo.InvariantCulture)} AND {match} GROUP BY {keys}) "
                            + $"TO {SqlText.Literal(whole[^1])} (FORMAT parquet)",
                            token, [.. key.Select(v => v!)]);
                    }

                    var cutSeries = $"read_parquet({SqlText.List(whole)})";
                    series = $"(SELECT * FROM {series} ANTI JOIN (SELECT {keys} FROM {cutSeries}) USING ({keys}) UNION ALL BY NAME SELECT * FROM {cutSeries})";
                }
            }

            Execute(connection, token, $"CREATE VIEW g0 AS SELECT * FROM {series}");

            // A SEG has a row per segment (and a TID 1500 SR one per measured segment): count each instance's bytes once;
            // and such an instance is one result row only if its rows agree on the instance's own columns.
            // (Only when the release has such instances: each query reads the whole instance table.)
            var multiRow = $"SEMI JOIN (SELECT {keys} FROM g0 WHERE __rows <> __instances) USING ({keys})";
            var anyMultiRow = DuckDb.Scalar(connection, "SELECT count(*) > 0 FROM g0 WHERE __rows <> __instances", token) is true;
            Execute(connection, token, anyMultiRow
                ? $"CREATE TABLE sizes AS SELECT {keys}, CAST(sum(instance_size) AS BIGINT) AS size FROM "
                  + $"(SELECT DISTINCT {keys}, \"SOPInstanceUID\", instance_size FROM read_parquet({SqlText.ReadPath(pivot)}) {multiRow}) GROUP BY {keys}"
                : $"CREATE TABLE sizes AS SELECT {keys}, CAST(NULL AS BIGINT) AS size FROM g0 LIMIT 0");
            var fixes = "coalesce(sizes.size, g0.__size) AS __size";
            var joins = $"LEFT JOIN sizes USING ({keys})";
            if (sorted && anyMultiRow)
            {
                var own = string.Join(", ", InstanceColumns.Select(SqlText.Identifier));
                Execute(connection, token,
                    $"CREATE TABLE uniform AS SELECT {keys}, count(*) = count(DISTINCT \"SOPInstanceUID\") AS uniform FROM "
                    + $"(SELECT DISTINCT {keys}, {own} FROM {source} {multiRow}) GROUP BY {keys}");
                fixes += ", coalesce(uniform.uniform, g0.__uniform) AS __uniform";
                joins += $" LEFT JOIN uniform USING ({keys})";
            }

            Execute(connection, token, $"CREATE VIEW g AS SELECT g0.* REPLACE ({fixes}) FROM g0 {joins}");

            var constant = new HashSet<string>(StringComparer.Ordinal);
            using (var command = DuckDb.Command(connection, "SELECT " + string.Join(", ", candidates.Select((_, i) => $"coalesce(bool_and(k{i.ToString(CultureInfo.InvariantCulture)}), true)")) + " FROM g"))
            {
                DuckDb.Run(
                    command,
                    c =>
                    {
                        using var reader = c.ExecuteReader();
                        reader.Read();
                        for (var i = 0; i < candidates.Count; i++)
                        {
                            if (reader.GetBoolean(i))
                            {
                                constant.Add(candidates[i].Name);
                            }
                        }

                        return 0;
                    },
                    token);
            }

            var clustered = sorted ? Clustered(connection, token) : null;
            var select = string.Join(", ", SeriesColumns.Keys.Concat(["__instances", "__size"]).Concat(candidates.Select(c => c.Name).Where(constant.Contains)).Select(SqlText.Identifier));
            Execute(connection, token, $"COPY (SELECT {select} FROM g ORDER BY {keys}) TO {SqlText.Literal(table + suffix)} (FORMAT parquet, COMPRESSION zstd)");
            if (clustered is not null)
            {
                var least = string.Join("", clustered.Select(c => ", " + SqlText.Identifier(SeriesRanges.LeastOf(c))));
                Execute(connection, token,
                    $"COPY (SELECT {keys}, __rows, __instances, __first_row, __uniform{least} FROM g ORDER BY {keys}) "
                    + $"TO {SqlText.Literal(RangesPath(release) + suffix)} (FORMAT parquet, COMPRESSION zstd)");
                File.Move(RangesPath(release) + suffix, RangesPath(release), overwrite: true);
            }

            File.Move(table + suffix, table, overwrite: true);
            var info = new SeriesInfo([.. constant.Order(StringComparer.Ordinal)], clustered);
            File.WriteAllText(InfoPath(release) + suffix, JsonSerializer.Serialize(info));
            File.Move(InfoPath(release) + suffix, InfoPath(release), overwrite: true);
            return Load(release)!;
        }
        finally
        {
            foreach (var path in new[] { table, RangesPath(release), InfoPath(release) })
            {
                File.Delete(path + suffix);
            }

            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Rows of the instance table per part of a sorted release's build.</summary>
    private const long RowsPerPart = 2_000_000;

    /// <summary>Series per hash partition of an unsorted release's build (each partition reads the whole table).</summary>
    private const long SeriesPerPartition = 150_000;

    /// <summary>Ranges of <see cref="RowsPerPart"/> rows covering the instance table (its row count is in the footer).</summary>
    private static List<string> RowRanges(DuckDBConnection connection, string pivot, CancellationToken token)
    {
        var rows = Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT count(*) FROM read_parquet({SqlText.ReadPath(pivot)})", token), CultureInfo.InvariantCulture);
        var parts = new List<string>();
        for (long first = 0; first < Math.Max(rows, 1); first += RowsPerPart)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"file_row_number >= {first} AND file_row_number < {first + RowsPerPart}"));
        }

        return parts;
    }

    /// <summary>Partitions of the series by a hash of their identifiers, as many as keep each one's state small.</summary>
    private List<string> HashParts(string release, string keys)
    {
        // About 50 instances a series: the release's row count estimates its series.
        var rows = _data.ReadReleaseInfo(release).RowCounts.GetValueOrDefault(IdcSchema.DicomPivotName);
        var count = (int)Math.Clamp(rows / 50 / SeriesPerPartition + 1, 1, 64);
        return [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"hash({keys}) % {count} = {i}"))];
    }

    /// <summary>
    /// Null when some series is not one run of rows (then no listing is read by series); else the candidates that
    /// cluster by series: no NULL, as many distinct values as instances in each series, and, with the series ordered
    /// by their least value, each one's least value above the greatest of the one before.
    /// </summary>
    private static List<string>? Clustered(DuckDBConnection connection, CancellationToken token)
    {
        var contiguous = DuckDb.Scalar(connection, "SELECT coalesce(bool_and(__last_row - __first_row + 1 = __rows), true) FROM g", token);
        if (contiguous is not true)
        {
            return null;
        }

        var clustered = new List<string>();
        foreach (var column in SeriesRanges.ClusterCandidates)
        {
            var least = SqlText.Identifier(SeriesRanges.LeastOf(column));
            var most = SqlText.Identifier("__max_" + column);
            var sql = $"SELECT coalesce(bool_and(n = __rows AND d = __instances AND (before IS NULL OR lo > before)), true) FROM "
                + $"(SELECT {SqlText.Identifier("__n_" + column)} AS n, {SqlText.Identifier("__d_" + column)} AS d, __rows, __instances, {least} AS lo, "
                + $"lag({most}) OVER (ORDER BY {least}, {most}) AS before FROM g)";
            if (DuckDb.Scalar(connection, sql, token) is true)
            {
                clustered.Add(column);
            }
        }

        return clustered;
    }

    /// <summary>Release version plus the instance file's size and time: a re-created release never meets an old cache.</summary>
    internal static string Fingerprint(DataDirectory data, string release)
    {
        var file = new FileInfo(data.TablePath(release, IdcSchema.DicomPivotName));
        var stamp = file.Exists ? $"{file.Length}-{file.LastWriteTimeUtc.Ticks}" : "missing";
        return $"{release}-{stamp}";
    }

    private static void Execute(DuckDBConnection connection, CancellationToken token, string sql) => DuckDb.Execute(connection, sql, token);

    /// <summary>What a build found: the constant columns, and (for a sorted release whose series are runs of rows) the clustered ones.</summary>
    private sealed record SeriesInfo(IReadOnlyList<string> Columns, IReadOnlyList<string>? Clustered);
}

/// <summary>How a series table is built: the memory it may use (beyond it, DuckDB spills to disk) and its threads.</summary>
public sealed record SeriesBuildOptions
{
    /// <summary>DuckDB's memory limit for the build (e.g. 1GB).</summary>
    public string MemoryLimit { get; init; } = "1GB";

    /// <summary>DuckDB's threads for the build; 0: one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Hardens a build's own database to the data directory, under the memory limit, spilling into <paramref name="work"/>.</summary>
    internal void Harden(DuckDBConnection connection, string dataDirectory, string work)
    {
        var settings = new List<(string, string)>
        {
            ("memory_limit", SqlText.Literal(MemoryLimit)),
            ("temp_directory", SqlText.Literal(work)),
            ("preserve_insertion_order", "false"),
        };
        if (Threads > 0)
        {
            settings.Add(("threads", Threads.ToString(CultureInfo.InvariantCulture)));
        }

        DuckDb.Harden(connection, [dataDirectory], settings);
    }
}
