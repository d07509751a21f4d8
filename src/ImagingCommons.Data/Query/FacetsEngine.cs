using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

public sealed class FacetEngineOptions
{
    /// <summary>Count from the release's series table once it is ready (until then, and when off, from the instance table).</summary>
    public bool UseSeriesTables { get; set; } = true;

    /// <summary>DuckDB memory limit of the facet database (the series tables it holds are about 100 MB at full IDC size).</summary>
    public string MemoryLimit { get; set; } = "1GB";
}

/// <summary>A release's series table file (see <see cref="SeriesIndexes"/>) and the dicom_pivot columns it holds.</summary>
public sealed record SeriesTableFile(string Path, SeriesColumns Columns);

/// <summary>
/// Counts cohorts for the portal: totals under a filter set and, per attribute, the counts of every value under the
/// other filters. Each release's series table becomes a <see cref="FacetIndex"/> (integer columns in memory, filters
/// evaluated in a DuckDB database of its own over each attribute's dictionary of values), with its TCGA tables beside
/// it. A count whose filters or attribute need an instance-level column (one that varies inside a series in that
/// release), or any count before the index is built, is made by SQL over the instance table instead: the same
/// numbers, only slower. The counts of one request run in parallel.
/// </summary>
public sealed class FacetEngine : ICohortTotals, IDisposable
{
    private readonly DataDirectory _data;
    private readonly FacetEngineOptions _options;
    private readonly Func<string, Task<SeriesTableFile?>> _seriesTables;
    private readonly string _storePath;
    private readonly string _connectionString;
    private readonly DuckDBConnection _keepAlive;
    private readonly ConcurrentDictionary<string, Lazy<Task<TcgaTables>>> _tcga = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<FacetIndex?>>> _indexes = new(StringComparer.Ordinal);
    private int _tableNumber;
    private int _disposed;

    /// <param name="seriesTables">Where a release's series table comes from: the query engine's (so that one build
    /// serves both); by default a <see cref="SeriesIndexes"/> of this engine's own over the same data directory.</param>
    public FacetEngine(DataDirectory data, Func<string, Task<SeriesTableFile?>>? seriesTables = null, FacetEngineOptions? options = null)
    {
        _data = data;
        _options = options ?? new FacetEngineOptions();
        if (seriesTables is null)
        {
            var indexes = new SeriesIndexes(data);
            seriesTables = async release => await indexes.Start(release).ConfigureAwait(false) is { } columns
                ? new SeriesTableFile(indexes.TablePath(release), columns)
                : null;
        }

        _seriesTables = seriesTables;
        var folder = Path.Combine(Path.GetTempPath(), "imagingcommons");
        Directory.CreateDirectory(folder);
        _storePath = Path.Combine(folder, $"facets-{Environment.ProcessId}-{Guid.NewGuid():N}.duckdb");
        _connectionString = "DataSource=" + _storePath;
        _keepAlive = new DuckDBConnection(_connectionString);
        _keepAlive.Open();
        // Locked down as the query engine's database is: files only in the data directory and the temp folder.
        DuckDb.Harden(_keepAlive, [data.Path, folder], [("memory_limit", SqlText.Literal(_options.MemoryLimit)), ("temp_directory", SqlText.Literal(_storePath + ".tmp"))]);
    }

    /// <summary>
    /// Loads a release's tables now rather than on its first request, and codes the <paramref name="attributes"/>
    /// (v2 filter names) that the first requests will name; the task ends when they are in.
    /// </summary>
    public async Task WarmUpAsync(string release, IEnumerable<string>? attributes = null)
    {
        await Tcga(release).ConfigureAwait(false);
        if (_options.UseSeriesTables && await Index(release).ConfigureAwait(false) is { } index)
        {
            var names = (attributes ?? []).ToHashSet(StringComparer.Ordinal);
            await index.PrepareAsync(ApiCatalog.V2Filters.Where(a => names.Contains(a.Name))).ConfigureAwait(false);
        }
    }

    /// <summary>Whether counts on this release are made from its in-memory index (else by SQL over the instance table).</summary>
    internal bool HasIndex(string release) => _options.UseSeriesTables && Index(release) is { IsCompletedSuccessfully: true, Result: not null };

    /// <summary>Totals and facets of a validated v2 filter set on a held release.</summary>
    public async Task<FacetResult> CountAsync(string release, FacetQuery query, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var tcga = await Tcga(release).WaitAsync(cancellationToken).ConfigureAwait(false);
        FacetIndex? index = null;
        if (_options.UseSeriesTables)
        {
            var load = Index(release);
            index = load.IsCompletedSuccessfully ? load.Result : null;
        }

        var version = query.Filters.Version;
        var entries = query.Filters.Entries;
        var instances = new FacetSource(tcga.Pivot, tcga.Clinical, tcga.Biospecimen);
        bool Indexed(IEnumerable<string> pivotColumns) => index is not null && index.Covers(pivotColumns);

        // GDC semantics: an attribute's own clauses (every suffix of it) do not narrow its own counts.
        var plans = query.Attributes.Select(a =>
        {
            var others = entries.Where(e => e.Attribute.Name != a.Name).ToList();
            return (Attribute: a, Others: others, Indexed: Indexed(PivotColumns(others, a)));
        }).ToList();
        var totalsIndexed = Indexed(PivotColumns(entries, null));
        FacetIndex.Masks? masks = null;
        if (index is not null && (totalsIndexed || plans.Any(p => p.Indexed)))
        {
            var evaluable = entries.Where(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot || index.Covers([e.Attribute.Name])).ToList();
            var tcgaFacets = plans.Where(p => p.Indexed && p.Attribute.EvaluatedIn != SourceTable.DicomPivot).Select(p => p.Attribute);
            masks = await index.EvaluateAsync(version, evaluable, tcgaFacets, cancellationToken).ConfigureAwait(false);
        }

        var totals = totalsIndexed
            ? Task.Run(() => index!.Totals(masks!, entries), cancellationToken)
            : Task.Run(() => Totals(instances, version, entries, cancellationToken), cancellationToken);
        var facets = plans.Select(p => p.Indexed
            ? Task.Run(() => index!.FacetAsync(masks!, entries, p.Attribute, query, cancellationToken), cancellationToken)
            : Task.Run(() => Facet(instances, version, p.Attribute, p.Others, query, cancellationToken), cancellationToken)).ToList();

        await Task.WhenAll(facets.Cast<Task>().Append(totals)).ConfigureAwait(false);
        return new FacetResult(release, await totals.ConfigureAwait(false), [.. facets.Select(f => f.Result)]);
    }

    /// <summary>
    /// The totals from the release's index alone: null while it is not built (this never starts a build, so a count
    /// on a release the portal never opened costs no index), when a filter needs an instance-level column, or when
    /// some series has no size (a manifest of only such series has a null group_size, the index would say 0).
    /// </summary>
    public async Task<FacetTotals?> TryTotalsAsync(string release, FilterSet filters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (!_options.UseSeriesTables || Volatile.Read(ref _disposed) != 0
            || !_indexes.TryGetValue(release, out var load) || !load.IsValueCreated
            || load.Value is not { IsCompletedSuccessfully: true, Result: { SizesComplete: true } index }
            || !index.Covers(PivotColumns(filters.Entries, null)))
        {
            return null;
        }

        var masks = await index.EvaluateAsync(filters.Version, filters.Entries, [], cancellationToken).ConfigureAwait(false);
        return index.Totals(masks, filters.Entries);
    }

    private static IEnumerable<string> PivotColumns(IEnumerable<Filter> filters, FilterAttribute? attribute)
    {
        var columns = filters.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot).Select(e => e.Attribute.Name);
        return attribute is { EvaluatedIn: SourceTable.DicomPivot } ? columns.Append(attribute.Name) : columns;
    }

    private async Task<FacetTotals> Totals(FacetSource source, ApiVersion version, IReadOnlyList<Filter> filters, CancellationToken cancellationToken)
    {
        var sql = new FacetsSql(source, version);
        var text = sql.Totals(filters);
        var row = (await RowsAsync(text, sql.Parameters, cancellationToken).ConfigureAwait(false))[0];
        return new FacetTotals(Long(row[0]), Long(row[1]), Long(row[2]), Long(row[3]), Long(row[4]), Long(row[5]));
    }

    private async Task<AttributeFacet> Facet(FacetSource source, ApiVersion version, FilterAttribute attribute, IReadOnlyList<Filter> others, FacetQuery query, CancellationToken cancellationToken)
    {
        var pivot = attribute.EvaluatedIn == SourceTable.DicomPivot;
        if (attribute.IsRanged)
        {
            return await Histogram(source, version, attribute, others, query.Bins, cancellationToken).ConfigureAwait(false);
        }

        var sql = new FacetsSql(source, version);
        if (pivot)
        {
            var text = sql.PivotValues(attribute, others, query.Limit);
            var rows = await RowsAsync(text, sql.Parameters, cancellationToken).ConfigureAwait(false);
            var values = rows.Select(r => new FacetValue(Shown(r[1]), Long(r[2]), Long(r[3]))).ToList();
            return new AttributeFacet(attribute, values, rows.Count == 0 ? 0 : Long(rows[0][4]), null, null, null);
        }

        var tcgaText = sql.TcgaValues(attribute, others);
        var buckets = await RowsAsync(tcgaText, sql.Parameters, cancellationToken).ConfigureAwait(false);
        var unrecorded = buckets.Where(b => (bool)b[0]!).Select(b => new FacetCount(Long(b[3]), Long(b[4]))).FirstOrDefault() ?? new FacetCount(0, 0);
        var recorded = buckets.Where(b => !(bool)b[0]!)
            .OrderByDescending(b => Long(b[3])).ThenByDescending(b => Long(b[4]))
            .ThenBy(b => b[1] is null ? 0 : 1).ThenBy(b => Convert.ToString(b[1], CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToList();
        var shown = recorded.Take(query.Limit).Select(b => new FacetValue(Shown(b[2]), Long(b[3]), Long(b[4]))).ToList();
        return new AttributeFacet(attribute, shown, recorded.Count, null, null, unrecorded);
    }

    private async Task<AttributeFacet> Histogram(FacetSource source, ApiVersion version, FilterAttribute attribute, IReadOnlyList<Filter> others, int binCount, CancellationToken cancellationToken)
    {
        var rangeSql = new FacetsSql(source, version);
        var rangeText = rangeSql.Range(attribute, others);
        var range = (await RowsAsync(rangeText, rangeSql.Parameters, cancellationToken).ConfigureAwait(false))[0];
        var bins = range[0] is null
            ? []
            : BinBounds(Convert.ToDouble(range[0], CultureInfo.InvariantCulture), Convert.ToDouble(range[1], CultureInfo.InvariantCulture), binCount, attribute.Kind == AttributeKind.RangedInteger);

        var binSql = new FacetsSql(source, version);
        var binText = binSql.Bins(attribute, others, [.. bins.Take(Math.Max(0, bins.Count - 1)).Select(b => b.Upper)]);
        var counts = (await RowsAsync(binText, binSql.Parameters, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture), r => new FacetCount(Long(r[1]), Long(r[2])));
        var none = new FacetCount(0, 0);
        var histogram = range[0] is null
            ? null
            : new FacetHistogram(
                Convert.ToDouble(range[0], CultureInfo.InvariantCulture),
                Convert.ToDouble(range[1], CultureInfo.InvariantCulture),
                [.. bins.Select((b, i) => counts.TryGetValue(i, out var c) ? b with { Series = c.Series, Patients = c.Patients } : b)]);
        var unrecorded = attribute.EvaluatedIn == SourceTable.DicomPivot ? null : counts.GetValueOrDefault(-2, none);
        return new AttributeFacet(attribute, null, bins.Count, histogram, counts.GetValueOrDefault(-1, none), unrecorded);
    }

    /// <summary>
    /// Equal-width bins from the smallest to the largest value. Ranged Integer attributes (whose filters take
    /// integers) get integer bounds, every bin half-open; Ranged Number bins are half-open but the last, which ends at
    /// the largest value inclusive. Each bin is what the filter <c>_ebtw</c> (last Ranged Number bin: <c>_ebtwe</c>) selects.
    /// </summary>
    internal static IReadOnlyList<HistogramBin> BinBounds(double min, double max, int count, bool integer)
    {
        count = Math.Clamp(count, 1, FacetQuery.MaxBins);
        var bins = new List<HistogramBin>();
        if (integer)
        {
            var low = Math.Floor(min);
            var span = Math.Floor(max) - low + 1;
            var width = Math.Max(1, Math.Ceiling(span / count));
            for (var lower = low; lower <= max; lower += width)
            {
                bins.Add(new HistogramBin(lower, lower + width, false, 0, 0));
            }

            return bins;
        }

        if (!(max > min))
        {
            return [new HistogramBin(min, max, true, 0, 0)];
        }

        var step = (max - min) / count;
        var edges = Enumerable.Range(0, count).Select(i => min + (i * step)).Append(max).Distinct().ToList();
        for (var i = 0; i < edges.Count - 1; i++)
        {
            bins.Add(new HistogramBin(edges[i], edges[i + 1], i == edges.Count - 2, 0, 0));
        }

        return bins;
    }

    private static object? Shown(object? value) => value switch
    {
        null => null,
        string s => s,
        long or double => value,
        int i => (long)i,
        float f => (double)f,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static long Long(object? value) => value switch
    {
        null => 0,
        System.Numerics.BigInteger big => (long)big,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private async Task<List<object?[]>> RowsAsync(string sql, IReadOnlyList<object> parameters, CancellationToken cancellationToken)
    {
        await using var connection = new DuckDBConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The release's TCGA tables, copied in (they are small: one row per case, one per sample).</summary>
    private Task<TcgaTables> Tcga(string release) =>
        _tcga.GetOrAdd(release, r => new Lazy<Task<TcgaTables>>(() => Task.Run(() =>
        {
            var clinical = NextTable("fc");
            var biospecimen = NextTable("fb");
            using var connection = new DuckDBConnection(_connectionString);
            connection.Open();
            Execute(connection, $"CREATE TABLE {clinical} AS SELECT * FROM read_parquet({SqlText.ReadPath(_data.TablePath(r, IdcSchema.ClinicalName))})");
            Execute(connection, $"CREATE TABLE {biospecimen} AS SELECT * FROM read_parquet({SqlText.ReadPath(_data.TablePath(r, IdcSchema.BiospecimenName))})");
            return new TcgaTables(clinical, biospecimen, "read_parquet(" + SqlText.ReadPath(_data.TablePath(r, IdcSchema.DicomPivotName)) + ")");
        }))).Value;

    /// <summary>The release's series table as a <see cref="FacetIndex"/>, with only the columns that facets can filter on or count.</summary>
    private Task<FacetIndex?> Index(string release) =>
        _indexes.GetOrAdd(release, r => new Lazy<Task<FacetIndex?>>(() => Task.Run(async () =>
        {
            var tcga = await Tcga(r).ConfigureAwait(false);
            if (await _seriesTables(r).ConfigureAwait(false) is not { } file)
            {
                return null;
            }

            var filterable = ApiCatalog.V2Filters.Where(a => a.EvaluatedIn == SourceTable.DicomPivot && file.Columns.Columns.Contains(a.Name)).Select(a => a.Name);
            var columns = SeriesColumns.Keys.Concat(["__instances", "__size"]).Concat(filterable).Distinct(StringComparer.Ordinal);
            var series = $"(SELECT {string.Join(", ", columns.Select(SqlText.Identifier))} FROM read_parquet({SqlText.ReadPath(file.Path)}))";
            return FacetIndex.Load(Open, series, file.Columns, new FacetSource(tcga.Pivot, tcga.Clinical, tcga.Biospecimen), NextTable("fi"));
        }))).Value;

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private string NextTable(string prefix) => prefix + Interlocked.Increment(ref _tableNumber).ToString(CultureInfo.InvariantCulture);

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

        // Loads under way finish before the database goes (they hold connections to it).
        var loads = _indexes.Values.Where(l => l.IsValueCreated).Select(l => (Task)l.Value)
            .Concat(_tcga.Values.Where(l => l.IsValueCreated).Select(l => (Task)l.Value)).ToArray();
        try
        {
            Task.WaitAll(loads, TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // A failed load only meant slower counts.
        }

        _keepAlive.Dispose();
        try
        {
            File.Delete(_storePath);
            File.Delete(_storePath + ".wal");
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

    private sealed record TcgaTables(string Clinical, string Biospecimen, string Pivot);
}
