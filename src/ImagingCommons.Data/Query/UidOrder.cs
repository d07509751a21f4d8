using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>
/// A release's instance-table rows sorted by SOPInstanceUID (<c>cache/series/…uids-u1.parquet</c>, docs/paging.md
/// "Listings ordered by SOPInstanceUID first"): each row's <c>uid</c>, its series (<c>f</c>: the series' first row in
/// the instance table, as its ranges have it), its crdc_instance_uuid as a UUID (<c>iu</c>) and its size (<c>sz</c>),
/// in row groups of <see cref="ReleaseLayout.RowGroupSize"/>. No layout of the instance table gives that order, and
/// its UIDs lie scattered over every row group, so without it such a listing is numbered whole (minutes for a
/// modality over the whole release).
/// </summary>
/// <param name="SpansPath">For each series (<c>f</c>), its first and last row in the order (<c>lo</c>, <c>hi</c>): where a
/// listing's rows begin and end in it, without a scan.</param>
/// <param name="InstanceUuids">Every crdc_instance_uuid is a UUID in its canonical spelling (NULL included): <c>iu</c> gives it back.</param>
/// <param name="GcsUrls">Every gcs_url is <c>gs://</c>gcs_bucket<c>/</c>crdc_series_uuid<c>/</c>crdc_instance_uuid<c>.dcm</c>
/// (IDC's instance URLs), so a page derives it from its series and <c>iu</c>.</param>
/// <param name="AwsUrls">The same for aws_url (<c>s3://</c>aws_bucket…).</param>
/// <param name="Urls">The same rows in gcs_url order within each collection, when gcs_url clusters by series and is
/// derived from them (<see cref="UrlOrder"/>); null when not.</param>
public sealed record UidOrder(string Path, string SpansPath, bool InstanceUuids, bool GcsUrls, bool AwsUrls, UrlOrder? Urls = null)
{
    /// <summary>
    /// The rows a count or a read takes at a time: an eighth of the file's row groups, so that a page's query runs over
    /// about the rows it needs, not over the whole row groups its read decompresses.
    /// </summary>
    public const int BlockRows = ReleaseLayout.RowGroupSize / 8;

    /// <summary>
    /// The instance-table columns a page can take from the file (alias <c>u</c>) and the series table (alias <c>s</c>):
    /// SOPInstanceUID, instance_size, and crdc_instance_uuid and the URLs when they can be given back exactly, and
    /// the series table's own; null for any other.
    /// </summary>
    public string? Expression(string column, IReadOnlySet<string> seriesColumns)
    {
        ArgumentNullException.ThrowIfNull(seriesColumns);
        const string uuid = "CAST(u.iu AS VARCHAR)";
        string? Url(string scheme, string bucket) =>
            seriesColumns.Contains(bucket) && seriesColumns.Contains("crdc_series_uuid")
                ? $"('{scheme}://' || s.{SqlText.Identifier(bucket)} || '/' || s.\"crdc_series_uuid\" || '/' || {uuid} || '.dcm')"
                : null;
        return column switch
        {
            "SOPInstanceUID" => "u.uid",
            "instance_size" => "u.sz",
            "crdc_instance_uuid" when InstanceUuids => uuid,
            "gcs_url" when GcsUrls => Url("gs", "gcs_bucket"),
            "aws_url" when AwsUrls => Url("s3", "aws_bucket"),
            _ => seriesColumns.Contains(column) ? "s." + SqlText.Identifier(column) : null,
        };
    }

    /// <summary>
    /// The qualifying rows in each block [<paramref name="from"/>, <paramref name="to"/>) of the file: those of the
    /// series in <paramref name="qualifying"/> (a table with <c>__first_row</c>, one row per series), a scan of <c>f</c>
    /// alone. A few blocks' series are read into a table first and joined then (the join hashes them, not the
    /// qualifying series: up to a million at full size, which took 50-300 ms for 16 blocks); many stream through a
    /// join that hashes the qualifying series once.
    /// </summary>
    public int[] Count(DuckDBConnection connection, string qualifying, long from, long to, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var counts = new int[Math.Max(0, to - from)];
        var range = string.Create(CultureInfo.InvariantCulture, $"u.file_row_number >= {from * BlockRows} AND u.file_row_number < {to * BlockRows}");
        var block = $"CAST(u.file_row_number // {BlockRows.ToString(CultureInfo.InvariantCulture)} AS BIGINT)";
        string sql;
        if (to - from <= FewBlocks)
        {
            DuckDb.Execute(connection, $"CREATE OR REPLACE TEMP TABLE uid_counted AS SELECT {block} AS b, u.f FROM {Source} AS u WHERE {range}", token);
            sql = $"SELECT u.b, count(*) FROM uid_counted AS u JOIN {qualifying} AS q ON u.f = q.__first_row GROUP BY u.b";
        }
        else
        {
            sql = $"SELECT {block} AS b, count(*) FROM {Source} AS u SEMI JOIN {qualifying} AS q ON u.f = q.__first_row WHERE {range} GROUP BY b";
        }

        using var command = DuckDb.Command(connection, sql);
        DuckDb.Run(
            command,
            c =>
            {
                using var reader = c.ExecuteReader();
                while (reader.Read())
                {
                    counts[reader.GetInt64(0) - from] = (int)reader.GetInt64(1);
                }

                return 0;
            },
            token);
        return counts;
    }

    /// <summary>The most blocks <see cref="Count"/> reads into a table before joining them (a million rows).</summary>
    private const int FewBlocks = 256;

    /// <summary>The rows of blocks [<paramref name="from"/>, <paramref name="to"/>) of the file, every series'.</summary>
    public string RowsOf(long from, long to) =>
        string.Create(CultureInfo.InvariantCulture,
            $"SELECT u.uid, u.f, u.iu, u.sz FROM {Source} AS u WHERE u.file_row_number >= {from * BlockRows} AND u.file_row_number < {to * BlockRows}");

    /// <summary>
    /// The rows of the order (a table of <see cref="RowsOf"/>) of the qualifying series (a table with
    /// <c>__first_row</c>) with the columns a page names, each one's <see cref="Expression"/> (series columns from
    /// <paramref name="series"/>, the series table), as the query's <c>dicom_pivot</c>. Joined once the rows are a
    /// table, whose size the join then knows: joined as they were read, the join hashed the qualifying series (up to a
    /// million at full size) instead of the rows, 171 against 79 ms for 16,000 rows.
    /// </summary>
    public string Columns(string rows, string qualifying, string series, IEnumerable<string> columns, IReadOnlySet<string> seriesColumns) =>
        $"SELECT {Select(columns, seriesColumns)} FROM {rows} AS u JOIN {qualifying} AS q ON u.f = q.__first_row JOIN {series} AS s ON u.f = s.__first_row";

    /// <summary>
    /// Some rows of the order (<paramref name="rows"/>, a table with the file's columns), of series known to qualify, with
    /// the columns a page names as <see cref="Columns"/> gives them, joined to the series table alone.
    /// </summary>
    public string ColumnsOf(string rows, string series, IEnumerable<string> columns, IReadOnlySet<string> seriesColumns) =>
        $"SELECT {Select(columns, seriesColumns)} FROM {rows} AS u JOIN {series} AS s ON u.f = s.__first_row";

    /// <summary>Each column as its <see cref="Expression"/>, under its own name.</summary>
    private string Select(IEnumerable<string> columns, IReadOnlySet<string> seriesColumns) =>
        string.Join(", ", columns.Select(c => (Expression(c, seriesColumns) ?? throw new InvalidOperationException($"The release's orders have no column {c}.")) + " AS " + SqlText.Identifier(c)));

    /// <summary>The file's columns, which <see cref="Expression"/> names (alias <c>u</c>).</summary>
    public static readonly IReadOnlyList<string> FileColumns = ["uid", "f", "iu", "sz"];

    private string Source => $"read_parquet({SqlText.ReadPath(Path)}, file_row_number = true)";
}

/// <summary>
/// A release's instance-table rows in gcs_url order within each collection (<c>cache/series/…urls-u2.parquet</c>, docs/paging.md
/// "Listings ordered by gcs_url"): the columns of <see cref="UidOrder"/>, each series one run of rows, the series of a
/// collection by their least gcs_url. In the instance table the series of a listing ordered by a URL lie scattered
/// over its collection's row groups, each costing a row group's gcs_url to decompress (40-50 ms at full size): here a
/// page's series follow one another, and a page derives gcs_url from its series and <c>iu</c>.
/// </summary>
/// <param name="SpansPath">For each series (<c>f</c>), its first row in the file (<c>lo</c>); its rows are the series' rows.</param>
public sealed record UrlOrder(string Path, string SpansPath)
{
    /// <summary>The file as a source of its rows with their row numbers (positions, as a series' span gives them).</summary>
    public string Source => $"read_parquet({SqlText.ReadPath(Path)}, file_row_number = true)";
}

/// <summary>
/// Builds and finds each release's <see cref="UidOrder"/>, once its series table (with ranges) is built: one builder
/// per data directory, as for series tables (<see cref="SeriesIndexes"/>: a lock file, files that appear by rename),
/// in a DuckDB database of its own under the options it is given (the engine's <c>OrderBuildMemoryLimit</c>, one
/// thread), spilling into a work folder. At full IDC size (47.6 M rows) the SOPInstanceUID order took about 2.5 minutes
/// and 1.9 GB of disk on two threads under 1 GB, and its gcs_url order (<see cref="UrlOrder"/>) a minute and 1.8 GB more.
/// </summary>
/// <remarks>A release in which one SOPInstanceUID belongs to two series gets none (its info says so, so that it is
/// not built again): its order would then not say which row is which instance's.</remarks>
public sealed class UidOrders
{
    /// <summary>The file's format: part of its name, so a server with another format never reads it.</summary>
    private const string Format = "u2";

    /// <summary>The most UID hashes found in two series whose UIDs are compared one by one (see <see cref="InOneSeriesEach"/>).</summary>
    private const int MaxSharedHashes = 1000;

    private readonly DataDirectory _data;
    private readonly SeriesIndexes _series;
    private readonly SeriesBuildOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<Task<UidOrder?>>> _builds = new(StringComparer.Ordinal);

    public UidOrders(DataDirectory data, SeriesIndexes series, SeriesBuildOptions? options = null)
    {
        _data = data;
        _series = series;
        _options = options ?? new SeriesBuildOptions();
    }

    /// <summary>The release's order when it is ready; null (and a build started once its series table is) when it is not.</summary>
    public UidOrder? TryGet(string release, CancellationToken cancellationToken = default)
    {
        var build = Start(release, cancellationToken);
        return build.IsCompletedSuccessfully ? build.Result : null;
    }

    /// <summary>Starts (or joins) the build of a release's order; the task ends with it, or null when the release has none.</summary>
    public Task<UidOrder?> Start(string release, CancellationToken cancellationToken = default) =>
        _builds.GetOrAdd(release, r => new Lazy<Task<UidOrder?>>(() => Task.Run(async () =>
        {
            var series = await _series.Start(r, cancellationToken).ConfigureAwait(false);
            return series?.Ranges is { } ranges ? LoadOrBuild(r, ranges, cancellationToken) : null;
        }, cancellationToken))).Value;

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
            // A failed build only means such listings are numbered whole.
        }
    }

    private string FilePath(string release) => Path.ChangeExtension(_series.TablePath(release), $".uids-{Format}.parquet");

    private string InfoPath(string release) => Path.ChangeExtension(_series.TablePath(release), $".uids-{Format}.json");

    private string SpansPath(string release) => Path.ChangeExtension(_series.TablePath(release), $".uids-{Format}.spans.parquet");

    private string UrlPath(string release) => Path.ChangeExtension(_series.TablePath(release), $".urls-{Format}.parquet");

    private string UrlSpansPath(string release) => Path.ChangeExtension(_series.TablePath(release), $".urls-{Format}.spans.parquet");

    private UidOrder? LoadOrBuild(string release, SeriesRanges ranges, CancellationToken token)
    {
        if (Load(release, out var ready))
        {
            return ready;
        }

        using (SeriesIndexes.AcquireLock(FilePath(release) + ".lock", token))
        {
            // Another process (or another instance here) may have built it while this one waited.
            return Load(release, out ready) ? ready : Build(release, ranges, token);
        }
    }

    /// <summary>Whether the release's build is done; <paramref name="order"/> is null when it found the release has none.</summary>
    private bool Load(string release, out UidOrder? order)
    {
        order = null;
        if (!File.Exists(InfoPath(release)))
        {
            return false;
        }

        var info = JsonSerializer.Deserialize<UidInfo>(File.ReadAllText(InfoPath(release)))!;
        if (!info.Unique)
        {
            return true;
        }

        if (!File.Exists(FilePath(release)) || !File.Exists(SpansPath(release)) || (info.Urls && (!File.Exists(UrlPath(release)) || !File.Exists(UrlSpansPath(release)))))
        {
            return false;
        }

        var urls = info.Urls ? new UrlOrder(UrlPath(release), UrlSpansPath(release)) : null;
        order = new UidOrder(FilePath(release), SpansPath(release), info.InstanceUuids, info.GcsUrls, info.AwsUrls, urls);
        return true;
    }

    private UidOrder? Build(string release, SeriesRanges ranges, CancellationToken token)
    {
        var folder = Path.GetDirectoryName(FilePath(release))!;
        var work = Path.Combine(folder, ".work-" + Guid.NewGuid().ToString("N"));
        var suffix = ".tmp-" + Guid.NewGuid().ToString("N");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        try
        {
            Directory.CreateDirectory(work);
            _options.Harden(connection, _data.Path, work);
            var pivot = ReleaseTables.Source(_data, release, IdcSchema.DicomPivot, withRowNumbers: true);
            var rangesFile = $"read_parquet({SqlText.ReadPath(ranges.Path)})";

            // The instance columns a page can give back from the order.
            const string uuid = "crdc_instance_uuid";
            static string Url(string scheme, string column, string bucket) =>
                $"coalesce(bool_and({column} IS NOT DISTINCT FROM ('{scheme}://' || {bucket} || '/' || crdc_series_uuid || '/' || {uuid} || '.dcm')), true)";
            using var check = DuckDb.Command(connection,
                $"SELECT count(*), count(SOPInstanceUID) = count(*), coalesce(bool_and(CAST(TRY_CAST({uuid} AS UUID) AS VARCHAR) IS NOT DISTINCT FROM {uuid}), true), "
                + $"{Url("gs", "gcs_url", "gcs_bucket")}, {Url("s3", "aws_url", "aws_bucket")} FROM {pivot}");
            var info = DuckDb.Run(
                check,
                c =>
                {
                    using var reader = c.ExecuteReader();
                    reader.Read();
                    var uuids = reader.GetBoolean(2);
                    return new UidInfo(reader.GetInt64(0), reader.GetBoolean(1), uuids, uuids && reader.GetBoolean(3), uuids && reader.GetBoolean(4), false);
                },
                token);

            if (info.Unique)
            {
                // Each row to its series' first row (the series are runs of rows, in file order), sorted by UID.
                var file = FilePath(release) + suffix;
                DuckDb.Execute(connection,
                    $"COPY (SELECT p.SOPInstanceUID AS uid, CAST(s.__first_row AS BIGINT) AS f, TRY_CAST(p.{uuid} AS UUID) AS iu, p.instance_size AS sz "
                    + $"FROM {pivot} AS p ASOF JOIN (SELECT __first_row FROM {rangesFile}) AS s ON p.file_row_number >= s.__first_row ORDER BY uid, f) "
                    + $"TO {SqlText.Literal(file)} ({ReleaseLayout.InstanceCopyOptions})",
                    token);

                info = info with { Unique = InOneSeriesEach(connection, $"read_parquet({SqlText.ReadPath(file)})", token) };
                if (info.Unique)
                {
                    DuckDb.Execute(connection,
                        $"COPY (SELECT f, min(file_row_number) AS lo, max(file_row_number) AS hi FROM read_parquet({SqlText.ReadPath(file)}, file_row_number = true) GROUP BY f ORDER BY f) "
                        + $"TO {SqlText.Literal(SpansPath(release) + suffix)} (FORMAT parquet, COMPRESSION zstd)",
                        token);
                    File.Move(SpansPath(release) + suffix, SpansPath(release), overwrite: true);
                    File.Move(file, FilePath(release), overwrite: true);
                    info = info with { Urls = info.GcsUrls && ranges.Clustered.Contains("gcs_url") && BuildUrls(connection, release, pivot, ranges, suffix, token) };
                }
            }

            File.WriteAllText(InfoPath(release) + suffix, JsonSerializer.Serialize(info));
            File.Move(InfoPath(release) + suffix, InfoPath(release), overwrite: true);
            Load(release, out var built);
            return built;
        }
        finally
        {
            File.Delete(FilePath(release) + suffix);
            File.Delete(SpansPath(release) + suffix);
            File.Delete(InfoPath(release) + suffix);
            File.Delete(UrlPath(release) + suffix);
            File.Delete(UrlSpansPath(release) + suffix);
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>
    /// Whether no UID of the order is in two series (rows of one UID with two first rows). Grouped by the UIDs' 64-bit
    /// hashes, then only the few UIDs whose hash has two series by the UIDs themselves: a grouping of 47.6 M UID strings
    /// at scale 1 ran out of a 512 MB limit on one thread, where that of their hashes spills and takes 8 s. Past
    /// <see cref="MaxSharedHashes"/> such hashes (a release with many UIDs in two series, since hashes of distinct UIDs
    /// collide about once in 10,000 releases of this size) the answer is no, without grouping their strings; a release
    /// without the order only numbers such listings whole.
    /// </summary>
    private static bool InOneSeriesEach(DuckDBConnection connection, string order, CancellationToken token)
    {
        DuckDb.Execute(connection,
            $"CREATE OR REPLACE TEMP TABLE shared_hashes AS SELECT hash(uid) AS h FROM {order} GROUP BY h HAVING min(f) <> max(f) LIMIT {MaxSharedHashes + 1}",
            token);
        var shared = Convert.ToInt64(DuckDb.Scalar(connection, "SELECT count(*) FROM shared_hashes", token), CultureInfo.InvariantCulture);
        return shared == 0 || (shared <= MaxSharedHashes && DuckDb.Scalar(connection,
            $"SELECT count(*) = 0 FROM (SELECT uid FROM {order} WHERE hash(uid) IN (SELECT h FROM shared_hashes) GROUP BY uid HAVING min(f) <> max(f))",
            token) is true);
    }

    /// <summary>
    /// Writes the release's <see cref="UrlOrder"/>: each series' rows (in their instance-table order) as one run, the
    /// series of a collection by their least gcs_url (gcs_url clusters by series, so that is the URLs' order), sorted by
    /// an integer rank rather than by the URLs (a sort of 47.6 M strings at full size). False when some series is not
    /// one run of it, which its construction rules out but which is checked, since a page reads a series by its span.
    /// </summary>
    private bool BuildUrls(DuckDBConnection connection, string release, string pivot, SeriesRanges ranges, string suffix, CancellationToken token)
    {
        var (file, spans) = (UrlPath(release) + suffix, UrlSpansPath(release) + suffix);
        var least = SqlText.Identifier(SeriesRanges.LeastOf("gcs_url"));
        DuckDb.Execute(connection,
            $"CREATE OR REPLACE TEMP TABLE url_rank AS SELECT CAST(__first_row AS BIGINT) AS f, CAST(__rows AS BIGINT) AS n, "
            + $"row_number() OVER (ORDER BY collection_id ASC NULLS FIRST, {least} ASC NULLS FIRST, __first_row) AS k FROM read_parquet({SqlText.ReadPath(ranges.Path)})",
            token);
        DuckDb.Execute(connection,
            $"COPY (SELECT p.SOPInstanceUID AS uid, s.f, TRY_CAST(p.crdc_instance_uuid AS UUID) AS iu, p.instance_size AS sz "
            + $"FROM {pivot} AS p ASOF JOIN url_rank AS s ON p.file_row_number >= s.f ORDER BY s.k, p.file_row_number) "
            + $"TO {SqlText.Literal(file)} ({ReleaseLayout.InstanceCopyOptions})",
            token);
        DuckDb.Execute(connection,
            $"COPY (SELECT f, min(file_row_number) AS lo, max(file_row_number) - min(file_row_number) + 1 AS span, count(*) AS n "
            + $"FROM read_parquet({SqlText.ReadPath(file)}, file_row_number = true) GROUP BY f ORDER BY f) TO {SqlText.Literal(spans)} (FORMAT parquet, COMPRESSION zstd)",
            token);
        var runs = DuckDb.Scalar(connection,
            $"SELECT coalesce(bool_and(p.span = p.n AND p.n = r.n), true) AND count(*) = (SELECT count(*) FROM url_rank) FROM read_parquet({SqlText.ReadPath(spans)}) AS p JOIN url_rank AS r USING (f)",
            token);
        DuckDb.Execute(connection, "DROP TABLE url_rank", CancellationToken.None);
        if (runs is not true)
        {
            return false;
        }

        File.Move(spans, UrlSpansPath(release), overwrite: true);
        File.Move(file, UrlPath(release), overwrite: true);
        return true;
    }

    /// <summary>What a build found (see <see cref="UidOrder"/>); <paramref name="Unique"/>: no NULL UID and no UID in two series; without it there is no file.</summary>
    /// <param name="Urls">The <see cref="UrlOrder"/> was written.</param>
    private sealed record UidInfo(long Rows, bool Unique, bool InstanceUuids, bool GcsUrls, bool AwsUrls, bool Urls);
}
