using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;

namespace ImagingCommons.Data.Query;

/// <summary>
/// How an instance listing is paged through by series (docs/paging.md, "Instance listings by series"): when every
/// series of the result contributes a known number of rows that follow one another in the API's order, the result is
/// numbered per series (a table of at most a million rows, built in milliseconds from the series table) instead of per
/// row, and a page reads just the instance-table rows of the series it covers.
/// </summary>
/// <remarks>
/// <para>It applies when the release is laid out by <see cref="Releases.ReleaseLayout"/> (each series one run of
/// rows, <see cref="SeriesRanges"/>), the series table evaluates every filter, and the API order sorts whole series:
/// its columns before the first instance-level one (the prefix) are series-level and either hold all four series
/// identifiers, or are followed by an instance-level column whose values cluster by series (IDC's URLs embed the
/// series UUID). Ordered by the prefix (and that column's least value), the series' rows never interleave.</para>
/// <para>Each series then contributes one row per instance (<c>__instances</c>, distinct SOPInstanceUIDs) when the
/// output holds SOPInstanceUID and otherwise only series-level columns or the instance's own columns (the same on
/// every row of an instance, checked per series as <c>__uniform</c>); /dicomMetadata lists every row
/// (<c>__rows</c>). A page runs the query's own SQL over just its series' rows, so its values, groups and order are
/// the materialised path's; the row count is checked against the numbering.</para>
/// </remarks>
internal sealed record SeriesBlocks(IReadOnlyList<string> SeriesOrder, bool AllRows)
{
    private static readonly string[] RangeColumns = ["__instances", "__rows", "__first_row", "__uniform"];

    /// <summary>The plan for a spec over a release's series table; null when its listing is not one of series.</summary>
    /// <param name="firstPage">For a first page alone (<see cref="Head"/>): any order that sorts whole series, also by
    /// a URL or with SeriesInstanceUID first, since a first page reads the rows of a few series only.</param>
    public static SeriesBlocks? For(QuerySpec spec, SeriesColumns? series, bool firstPage = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (series?.Ranges is not { } ranges || !SqlBuilder.SeriesCoverFilters(series, spec.Filters))
        {
            return null;
        }

        var order = SqlBuilder.PivotOrder(spec);
        if (order.Count == 0 || order.Any(c => c is null))
        {
            return null;
        }

        // Each series gives a row per instance when the output holds an instance's identifier: SOPInstanceUID, or a
        // clustered column (one distinct value per instance, such as IDC's URLs).
        var allRows = spec.Kind == QueryKind.V1DicomMetadata;
        var identified = order.Any(c => c == "SOPInstanceUID" || ranges.Clustered.Contains(c!));
        if (!allRows && (!identified || order.Any(c => !series.Columns.Contains(c!) && !SeriesIndexes.InstanceColumns.Contains(c!))))
        {
            return null;
        }

        var first = order.ToList().FindIndex(c => !series.Columns.Contains(c!));
        if (first < 0)
        {
            // Series-level throughout: the series table answers it whole.
            return null;
        }

        // Only an order that starts as the file's does (collection, patient, study, series) keeps the series of a
        // stretch of result rows in a stretch of the file. In another (by a URL, or SeriesInstanceUID first) each series
        // of a page costs a row group of its own: measured at full size, a first page read so took 1.7-3.7 s, longer
        // than numbering the whole result (docs/benchmarks.md).
        var prefix = order.Take(first).Select(c => c!).ToList();
        if (firstPage)
        {
            if (SeriesColumns.Keys.All(prefix.Contains))
            {
                return new SeriesBlocks(prefix, allRows);
            }

            // Ordered by a column whose values never interleave between series, series sort by their least value.
            return ranges.Clustered.Contains(order[first]!) ? new SeriesBlocks([.. prefix, SeriesRanges.LeastOf(order[first]!)], allRows) : null;
        }

        return prefix.Take(FileOrderKeys).SequenceEqual(Releases.ReleaseLayout.InstanceOrder.Take(FileOrderKeys), StringComparer.Ordinal)
            ? new SeriesBlocks(prefix, allRows)
            : null;
    }

    /// <summary>The series-level columns at the head of the file's order (<see cref="Releases.ReleaseLayout.InstanceOrder"/>).</summary>
    private const int FileOrderKeys = 4;

    /// <summary>The qualifying series with what the numbering needs (and <paramref name="more"/> columns of the series table).</summary>
    public CompiledQuery Qualifying(QuerySpec spec, params IEnumerable<string> more) =>
        SqlBuilder.QualifyingSeries(spec, [.. SeriesColumns.Keys.Union(SeriesOrder, StringComparer.Ordinal), .. RangeColumns.Union(more, StringComparer.Ordinal)]);

    /// <summary>Ordered by gcs_url (after series-level columns, if any): its series by their least URL.</summary>
    public bool ByGcsUrl => SeriesOrder.Count > 0 && SeriesOrder[^1] == SeriesRanges.LeastOf("gcs_url");

    /// <summary>
    /// Creates the numbered table of the qualifying series (<paramref name="qualifying"/>: their SQL, resolved): each
    /// with its first result row (<c>__start</c>), its result rows (<c>__count</c>) and its run of instance-table rows.
    /// Returns the total, or null when some series has an instance whose rows disagree (then the listing is numbered
    /// per row instead).
    /// </summary>
    public long? Number(DuckDBConnection connection, string table, string qualifying, IReadOnlyList<object> parameters, CancellationToken token, Action started)
    {
        var count = AllRows ? "__rows" : "__instances";
        var order = OrderKeys();
        DuckDb.Execute(connection, $"CREATE TEMP TABLE q_{table} AS {qualifying}", token, started, [.. parameters]);
        try
        {
            if (!AllRows && DuckDb.Scalar(connection, $"SELECT coalesce(bool_and(__uniform), true) FROM q_{table}", token) is not true)
            {
                return null;
            }

            DuckDb.Execute(connection,
                $"CREATE TABLE {table} AS SELECT __start, __count, __first_row, __rows FROM ("
                + $"SELECT CAST(sum({count}) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - {count} AS BIGINT) AS __start, "
                + $"CAST({count} AS BIGINT) AS __count, CAST(__first_row AS BIGINT) AS __first_row, CAST(__rows AS BIGINT) AS __rows FROM q_{table}) ORDER BY __start",
                token);
            return Convert.ToInt64(DuckDb.Scalar(connection, $"SELECT CAST(coalesce(sum(__count), 0) AS BIGINT) FROM {table}", token) ?? 0L, CultureInfo.InvariantCulture);
        }
        finally
        {
            DuckDb.Execute(connection, $"DROP TABLE IF EXISTS q_{table}", CancellationToken.None);
        }
    }

    /// <summary>
    /// What a first page of <paramref name="count"/> rows needs, without numbering the rest: the listing's exact total
    /// and its first series in order, as many as cover <paramref name="wanted"/> rows (each series gives one row per
    /// instance at least), or only <paramref name="count"/> when the rest would cost more than one more stretch of the
    /// file, from two reads of the series table. Null when some series has an instance whose rows disagree (its rows are then not
    /// its instances) or when even the first page's series lie in more than <see cref="MaxHeadStretches"/> stretches
    /// (one row group read each: the whole listing is then numbered instead).
    /// </summary>
    /// <param name="position">The series table's column of each series' first row in the file its rows are read from
    /// (<c>__first_row</c>: the instance table).</param>
    public (long Total, List<BlockSeries> Series)? Head(DuckDBConnection connection, string qualifying, IReadOnlyList<object> parameters, int count, int wanted, CancellationToken token, Action started,
        string position = "__first_row")
    {
        var counted = AllRows ? "__rows" : "__instances";
        if (Total(connection, qualifying, parameters, token, started) is not { } total)
        {
            return null;
        }

        var series = new List<BlockSeries>();
        using (var command = DuckDb.Command(connection,
            $"SELECT CAST({counted} AS BIGINT), CAST({position} AS BIGINT), CAST(__rows AS BIGINT) FROM ({qualifying}) AS q "
            + $"ORDER BY {OrderKeys()} LIMIT {Math.Max(wanted, 1).ToString(CultureInfo.InvariantCulture)}", [.. parameters]))
        {
            DuckDb.Run(
                command,
                c =>
                {
                    using var reader = c.ExecuteReader();
                    var start = 0L;
                    while (start < wanted && reader.Read())
                    {
                        series.Add(new BlockSeries(start, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
                        start += reader.GetInt64(0);
                    }

                    return series;
                },
                token);
        }

        // The rows after the page are read with it only when they cost at most about what the page does (in the file's
        // order, the next series lie beside the first; scattered ones, ordered by a URL, may lie anywhere in it, but
        // those of one collection lie in its row groups, which the page's own series already mostly touch).
        var own = series.TakeWhile(s => s.Start < count).ToList();
        var ownStretches = Stretches(own);
        var cost = ReadCost(ownStretches);
        if (ReadCost(Stretches(series)) > Math.Max(cost + 2, 2 * cost))
        {
            series = own;
        }

        return ownStretches.Count > MaxHeadStretches ? null : (total, series);
    }

    /// <summary>
    /// The listing's exact total and the series that hold its rows [<paramref name="start"/>, <paramref name="end"/>)
    /// without numbering the rest (a running sum over the qualifying series in API order), as for a first page. Null
    /// as for <see cref="Head"/>, or when those series lie in more than <see cref="MaxHeadStretches"/> stretches.
    /// </summary>
    public (long Total, List<BlockSeries> Series)? Window(DuckDBConnection connection, string qualifying, IReadOnlyList<object> parameters, long start, long end, CancellationToken token, Action started,
        string position = "__first_row")
    {
        // The total comes with the series, from one scan of the series table instead of two (a window read ahead is
        // raced by a client paging through the rows before it: 10-20 ms of its 80 at full size were these scans).
        var counted = AllRows ? "__rows" : "__instances";
        using var command = DuckDb.Command(connection,
            "SELECT __start, __count, __first_row, __rows, __total, __uniform FROM ("
            + $"SELECT CAST(sum(__c) OVER (ORDER BY {OrderKeys()} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - __c AS BIGINT) AS __start, "
            + $"CAST(__c AS BIGINT) AS __count, CAST({position} AS BIGINT) AS __first_row, CAST(__rows AS BIGINT) AS __rows, "
            + "CAST(sum(__c) OVER () AS BIGINT) AS __total, coalesce(bool_and(__uniform) OVER (), true) AS __uniform "
            + $"FROM (SELECT *, {counted} AS __c FROM ({qualifying}) AS q) AS q) "
            + string.Create(CultureInfo.InvariantCulture, $"WHERE __start < {end} AND __start + __count > {start} ORDER BY __start"),
            [.. parameters]);
        var (total, uniform) = (0L, true);
        var series = ReadSeries(command, token, started, reader => (total, uniform) = (reader.GetInt64(4), reader.GetBoolean(5)));
        if (series.Count == 0)
        {
            // Rows past the listing's end (or none at all): its total alone.
            return Total(connection, qualifying, parameters, token, () => { }) is { } rowsInAll ? (rowsInAll, series) : null;
        }

        if (!AllRows && !uniform)
        {
            return null;
        }

        return Stretches(series).Count > MaxHeadStretches ? null : (total, series);
    }

    /// <summary>The listing's exact total (its qualifying series' instances, or rows); null when some series has an instance whose rows disagree.</summary>
    private long? Total(DuckDBConnection connection, string qualifying, IReadOnlyList<object> parameters, CancellationToken token, Action started)
    {
        var counted = AllRows ? "__rows" : "__instances";
        using var command = DuckDb.Command(connection,
            $"SELECT CAST(coalesce(sum({counted}), 0) AS BIGINT), coalesce(bool_and(__uniform), true) FROM ({qualifying}) AS q", [.. parameters]);
        var (sum, uniform) = DuckDb.Run(
            command,
            c =>
            {
                using var reader = c.ExecuteReader();
                reader.Read();
                return (reader.GetInt64(0), reader.GetBoolean(1));
            },
            token,
            started);
        return AllRows || uniform ? sum : null;
    }

    /// <summary>The row groups of the instance table from the qualifying series' first row to their last (0 when none qualifies).</summary>
    public static long RowGroupsSpanned(DuckDBConnection connection, string qualifying, IReadOnlyList<object> parameters, CancellationToken token)
    {
        using var command = DuckDb.Command(connection,
            $"SELECT CAST(min(__first_row) AS BIGINT), CAST(max(__first_row + __rows - 1) AS BIGINT) FROM ({qualifying}) AS q", [.. parameters]);
        return DuckDb.Run(
            command,
            c =>
            {
                using var reader = c.ExecuteReader();
                reader.Read();
                return reader.IsDBNull(0) ? 0 : (reader.GetInt64(1) / Releases.ReleaseLayout.RowGroupSize) - (reader.GetInt64(0) / Releases.ReleaseLayout.RowGroupSize) + 1;
            },
            token);
    }

    /// <summary>
    /// The stretches of a file the qualifying series lie in, as <see cref="Stretches"/> cuts them (runs a row group or
    /// less apart are one), and their rows; <paramref name="position"/> is the column of each series' first row in it.
    /// </summary>
    public static (long Stretches, long Rows) StretchesIn(DuckDBConnection connection, string qualifying, IReadOnlyList<object> parameters, string position, CancellationToken token)
    {
        var group = Releases.ReleaseLayout.RowGroupSize.ToString(CultureInfo.InvariantCulture);
        using var command = DuckDb.Command(connection,
            $"SELECT count(*) FILTER (WHERE __before IS NULL OR {position} // {group} > __before // {group} + 1), CAST(coalesce(sum(__rows), 0) AS BIGINT) FROM ("
            + $"SELECT {position}, __rows, lag({position} + __rows - 1) OVER (ORDER BY {position}) AS __before FROM ({qualifying}) AS q) AS q",
            [.. parameters]);
        return DuckDb.Run(
            command,
            c =>
            {
                using var reader = c.ExecuteReader();
                reader.Read();
                return (reader.GetInt64(0), reader.GetInt64(1));
            },
            token);
    }

    /// <summary>
    /// Whether windows of <paramref name="windowRows"/> rows over a listing of <paramref name="rows"/> rows in
    /// <paramref name="stretches"/> stretches hold at most half the stretches a read may have (<see cref="MaxHeadStretches"/>)
    /// on average: a window holds about min(windowRows, rows) / rows of them.
    /// </summary>
    public static bool FewStretches(long stretches, long rows, int windowRows) =>
        stretches * (double)Math.Min(windowRows, rows) <= MaxHeadStretches / 2.0 * Math.Max(rows, 1);

    /// <summary>Stretches of the file a first page may read (each costs a row group or more to decompress).</summary>
    /// <remarks>A window of a listing that lies in at most this many row groups has at most this many stretches.</remarks>
    internal const int MaxHeadStretches = 32;

    private string OrderKeys() =>
        string.Join(", ", SeriesOrder.Concat(SeriesColumns.Keys).Distinct(StringComparer.Ordinal).Select(c => SqlText.Identifier(c) + " ASC NULLS FIRST"));

    /// <summary>The series a page [offset, offset + count) covers, in the numbering's order.</summary>
    public static List<BlockSeries> Covering(DuckDBConnection connection, string table, long offset, int count, CancellationToken token)
    {
        using var command = DuckDb.Command(connection,
            $"SELECT __start, __count, __first_row, __rows FROM {table} WHERE __start < $2 AND __start + __count > $1 ORDER BY __start",
            offset, offset + count);
        return ReadSeries(command, token);
    }

    /// <summary>
    /// Runs a command whose rows begin with (start, count, first row, rows) of series; <paramref name="rest"/> reads each
    /// row's further columns.
    /// </summary>
    private static List<BlockSeries> ReadSeries(DuckDBCommand command, CancellationToken token, Action? started = null, Action<DbDataReader>? rest = null) =>
        DuckDb.Run(
            command,
            c =>
            {
                using var reader = c.ExecuteReader();
                var series = new List<BlockSeries>();
                while (reader.Read())
                {
                    series.Add(new BlockSeries(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
                    rest?.Invoke(reader);
                }

                return series;
            },
            token,
            started);

    /// <summary>Reads that share a statement (each is a scan of its own, with its buffers).</summary>
    private const int ReadsPerStatement = 4;

    /// <summary>
    /// The instance-table rows of some series, as statements whose rows together are the series' rows: a range read
    /// (a filter on <c>file_row_number</c>, which skips the other row groups) per stretch of the file, runs of series
    /// a row group or less apart sharing one (its rows are then picked by their runs), a few reads per statement.
    /// </summary>
    /// <param name="columns">The instance-table columns the query reads (each read reads only these).</param>
    public static IReadOnlyList<string> RowsOf(IEnumerable<BlockSeries> series, string source, IReadOnlyCollection<string> columns)
    {
        var select = string.Join(", ", columns.Append("file_row_number").Select(SqlText.Identifier));
        var reads = Stretches(series).Select(runs =>
        {
            var read = string.Create(CultureInfo.InvariantCulture, $"SELECT {select} FROM {source} WHERE file_row_number BETWEEN {runs[0].First} AND {runs[^1].Last}");
            if (runs.Count == 1)
            {
                return read;
            }

            if (runs.Count <= MaxPicksByPredicate)
            {
                return read + " AND (" + string.Join(" OR ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"file_row_number BETWEEN {r.First} AND {r.Last}"))) + ")";
            }

            // Each row to the run at or before it: a predicate of a thousand ranges, evaluated on every row of the
            // stretch, took 4.4 s over a collection's 250,000 rows, this join 0.2 s.
            var values = string.Join(", ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"({r.First}, {r.Last})")));
            return $"SELECT {select} FROM ({read}) AS f ASOF JOIN (VALUES {values}) AS r(__run_first, __run_last) "
                + "ON f.file_row_number >= r.__run_first WHERE f.file_row_number <= r.__run_last";
        }).ToList();
        return [.. reads.Chunk(ReadsPerStatement).Select(chunk => string.Join(" UNION ALL ", chunk))];
    }

    /// <summary>Runs of a stretch picked by a predicate on each row; more are picked by a join.</summary>
    private const int MaxPicksByPredicate = 4;

    /// <summary>
    /// What reading some series' stretches costs, in row groups decompressed, each read counting one more (a read of its
    /// own costs about what a row group does: measured at full size, a row group's 6 columns take 35 ms, a read 15 ms more).
    /// </summary>
    private static long ReadCost(List<List<(long First, long Last)>> stretches) =>
        stretches.Sum(runs => runs[^1].Last / Releases.ReleaseLayout.RowGroupSize - runs[0].First / Releases.ReleaseLayout.RowGroupSize + 2);

    /// <summary>
    /// The series' runs of rows in file order, grouped into stretches: runs in the same row group or the next share
    /// one, since a read of its own would cost more than the row group it saves.
    /// </summary>
    private static List<List<(long First, long Last)>> Stretches(IEnumerable<BlockSeries> series)
    {
        var stretches = new List<List<(long First, long Last)>>();
        foreach (var s in series.OrderBy(s => s.FirstRow))
        {
            var last = s.FirstRow + s.Rows - 1;
            var runs = stretches.Count > 0 ? stretches[^1] : null;
            if (runs is not null && runs[^1].Last + 1 == s.FirstRow)
            {
                runs[^1] = (runs[^1].First, last);
            }
            else if (runs is not null && s.FirstRow / Releases.ReleaseLayout.RowGroupSize <= runs[^1].Last / Releases.ReleaseLayout.RowGroupSize + 1)
            {
                runs.Add((s.FirstRow, last));
            }
            else
            {
                stretches.Add([(s.FirstRow, last)]);
            }
        }

        return stretches;
    }
}

/// <summary>One series of a numbered listing: its first result row, its result rows, and its run of instance-table rows.</summary>
internal sealed record BlockSeries(long Start, long Count, long FirstRow, long Rows);

/// <summary>How the pages of a result numbered by series are read: the query's own SQL over the instance table, run on a page's series.</summary>
/// <param name="Compiled">The query compiled over the instance table.</param>
/// <param name="AllRows">/dicomMetadata: every row in file order (ties of the API order keep the writer's order).</param>
internal sealed partial record BlockReader(CompiledQuery Compiled, bool AllRows)
{
    /// <summary>
    /// The series' rows are read from the release's <see cref="UrlOrder"/> (a <see cref="BlockSeries.FirstRow"/> is then
    /// a row of that file), with the columns <see cref="UidOrder.Expression"/> gives over the series table's
    /// (<see cref="UrlSeriesColumns"/>); null: from the instance table.
    /// </summary>
    public UidOrder? Urls { get; init; }

    /// <summary>The series table's columns, for <see cref="Urls"/>.</summary>
    public IReadOnlySet<string>? UrlSeriesColumns { get; init; }

    /// <summary>
    /// The instance-table columns the query reads: every <c>dicom_pivot."…"</c> it names (SqlBuilder names every column
    /// so), and no other, since each costs its share of a row group to decompress (a v1 manifest of GCS_URL alone reads
    /// 2 columns, not 6); a column missed would fail the query, never change its answer.
    /// </summary>
    public IReadOnlyCollection<string> Columns { get; } = ColumnReference().Matches(Compiled.Sql)
        .Select(m => m.Groups[1].Value.Replace("\"\"", "\"", StringComparison.Ordinal))
        .Distinct(StringComparer.Ordinal).ToList();

    [System.Text.RegularExpressions.GeneratedRegex("dicom_pivot\\.\"((?:[^\"]|\"\")+)\"")]
    private static partial System.Text.RegularExpressions.Regex ColumnReference();
}
