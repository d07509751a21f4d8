using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>
/// A release's series table held in memory as integer columns, for counting facets in a few milliseconds at full IDC
/// size (a million series). Rows are the series, ordered by patient, so that distinct patients are counted by noticing
/// when the patient changes. Each attribute's values are a dictionary of codes (string values by their lower-cased
/// text, as the filters compare them; numbers by value), kept in the facet database too: a filter is evaluated there,
/// by the same SQL as everywhere else (<see cref="FacetsSql.Predicate"/>) over the small dictionary, and its matching
/// codes become a bit set of rows. TCGA attributes are held per patient (a patient's distinct values).
/// </summary>
internal sealed class FacetIndex
{
    private readonly Func<DuckDBConnection> _open;
    private readonly string _table;
    private readonly string _patients;
    private readonly FacetSource _tcga;
    private readonly SeriesColumns _columns;
    private readonly int[] _patient;
    private readonly int[] _study;
    private readonly int[] _collection;
    private readonly long[] _instances;
    private readonly long[] _bytes;
    private readonly int _patientCount;
    private readonly int _studyCount;
    private readonly int _collectionCount;
    private readonly ConcurrentDictionary<string, Lazy<Task<Column>>> _attributes = new(StringComparer.Ordinal);
    private int _dictionaries;

    private FacetIndex(Func<DuckDBConnection> open, string table, string patients, FacetSource tcga, SeriesColumns columns, int[] patient, int[] study, int[] collection, long[] instances, long[] bytes)
    {
        _open = open;
        _table = table;
        _patients = patients;
        _tcga = tcga;
        _columns = columns;
        _patient = patient;
        _study = study;
        _collection = collection;
        _instances = instances;
        _bytes = bytes;
        _patientCount = patient.Length == 0 ? 0 : patient[^1] + 1;
        _studyCount = study.Length == 0 ? 0 : study.Max() + 1;
        _collectionCount = collection.Length == 0 ? 0 : collection.Max() + 1;
    }

    private int Rows => _patient.Length;

    /// <summary>Whether every series has its size (else <see cref="FacetTotals.Bytes"/> counts the unknown ones as 0).</summary>
    public bool SizesComplete { get; private init; }

    /// <summary>Whether the dicom_pivot columns a query touches all hold one value per series in this release.</summary>
    public bool Covers(IEnumerable<string> pivotColumns) => _columns.Covers(pivotColumns);

    /// <summary>
    /// Builds the index from a series table already in the facet database; null when its identifiers do not allow it
    /// (a series UID on two rows, or a missing identifier), in which case facets are counted by SQL.
    /// </summary>
    public static FacetIndex? Load(Func<DuckDBConnection> open, string series, SeriesColumns columns, FacetSource tcga, string name)
    {
        var table = name + "_rows";
        var patients = name + "_patients";
        using var connection = open();
        bool sizesComplete;
        Execute(connection,
            $"CREATE TABLE {table} AS SELECT *, "
            + "CAST(row_number() OVER (ORDER BY PatientID, collection_id, StudyInstanceUID, SeriesInstanceUID) - 1 AS INTEGER) AS __row, "
            + "CAST(dense_rank() OVER (ORDER BY PatientID) - 1 AS INTEGER) AS __patient, "
            + "CAST(dense_rank() OVER (ORDER BY StudyInstanceUID) - 1 AS INTEGER) AS __study, "
            + "CAST(dense_rank() OVER (ORDER BY collection_id) - 1 AS INTEGER) AS __collection "
            + $"FROM {series}");
        using (var check = connection.CreateCommand())
        {
            check.CommandText = $"SELECT count(*) = count(DISTINCT SeriesInstanceUID) AND count(*) = count(PatientID) AND count(*) = count(StudyInstanceUID) AND count(*) = count(collection_id) FROM {table}";
            if (check.ExecuteScalar() is not true)
            {
                return null;
            }

            check.CommandText = $"SELECT count(*) = count(__size) FROM {table}";
            sizesComplete = check.ExecuteScalar() is true;
        }

        Execute(connection, $"CREATE TABLE {patients} AS SELECT DISTINCT __patient AS code, PatientID FROM {table}");
        var rows = new List<(int Patient, int Study, int Collection, long Instances, long Bytes)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT __patient, __study, __collection, CAST(__instances AS BIGINT), CAST(coalesce(__size, 0) AS BIGINT) FROM {table} ORDER BY __row";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }

        return new FacetIndex(open, table, patients, tcga, columns,
            [.. rows.Select(r => r.Patient)], [.. rows.Select(r => r.Study)], [.. rows.Select(r => r.Collection)],
            [.. rows.Select(r => r.Instances)], [.. rows.Select(r => r.Bytes)]) { SizesComplete = sizesComplete };
    }

    /// <summary>
    /// Evaluates the filters this request needs, as bit sets of rows: every dicom_pivot filter on its own, and each
    /// TCGA table's filters as one group (and, for a TCGA facet, its table's group without that attribute's filters).
    /// </summary>
    public async Task<Masks> EvaluateAsync(ApiVersion version, IReadOnlyList<Filter> entries, IEnumerable<FilterAttribute> tcgaFacets, CancellationToken cancellationToken)
    {
        var units = new List<(string Key, string Sql, Column? Codes)>();
        var sql = new FacetsSql(_tcga, version);
        foreach (var entry in entries.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot))
        {
            var column = await ColumnAsync(entry.Attribute).WaitAsync(cancellationToken).ConfigureAwait(false);
            units.Add((entry.Key, $"SELECT d.code FROM {column.Dictionary} AS d WHERE {sql.Predicate("d", entry)}", column));
        }

        var groups = entries.Where(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot).GroupBy(e => e.Attribute.EvaluatedIn).ToList();
        foreach (var group in groups)
        {
            units.Add((GroupKey(group.Key, null), $"SELECT p.code FROM {_patients} AS p WHERE {sql.TcgaClause("p", group.Key, [.. group])}", null));
        }

        foreach (var attribute in tcgaFacets.Distinct())
        {
            var rest = entries.Where(e => e.Attribute.EvaluatedIn == attribute.EvaluatedIn && e.Attribute.Name != attribute.Name).ToList();
            if (rest.Count > 0 && rest.Count < entries.Count(e => e.Attribute.EvaluatedIn == attribute.EvaluatedIn))
            {
                units.Add((GroupKey(attribute.EvaluatedIn, attribute.Name), $"SELECT p.code FROM {_patients} AS p WHERE {sql.TcgaClause("p", attribute.EvaluatedIn, rest)}", null));
            }
        }

        var masks = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        if (units.Count == 0)
        {
            return new Masks(masks);
        }

        var accepted = units.Select(u => new List<int>()).ToList();
        await using (var connection = _open())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join(" UNION ALL ", units.Select((u, i) => $"SELECT {i.ToString(CultureInfo.InvariantCulture)} AS unit, code FROM ({u.Sql})"));
            foreach (var parameter in sql.Parameters)
            {
                command.Parameters.Add(new DuckDBParameter(parameter));
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                accepted[reader.GetInt32(0)].Add(reader.GetInt32(1));
            }
        }

        for (var i = 0; i < units.Count; i++)
        {
            var (key, _, codes) = units[i];
            var per = codes is null ? _patient : codes.Rows!;
            var size = codes is null ? _patientCount : codes.Shown.Length;
            var accept = new bool[size];
            foreach (var code in accepted[i])
            {
                accept[code] = true;
            }

            var mask = new ulong[(Rows + 63) / 64];
            for (var r = 0; r < per.Length; r++)
            {
                if (accept[per[r]])
                {
                    mask[r >> 6] |= 1UL << (r & 63);
                }
            }

            masks[key] = mask;
        }

        return new Masks(masks);
    }

    private static string GroupKey(SourceTable table, string? without) => "\u0001" + table + "\u0001" + without;

    /// <summary>The rows passing every filter except those on <paramref name="excluded"/> (null: all of them).</summary>
    private ulong[]? Combine(Masks masks, IReadOnlyList<Filter> entries, FilterAttribute? excluded)
    {
        var parts = new List<ulong[]>();
        foreach (var entry in entries.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot && e.Attribute.Name != excluded?.Name))
        {
            parts.Add(masks.ByKey[entry.Key]);
        }

        foreach (var table in entries.Where(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot).Select(e => e.Attribute.EvaluatedIn).Distinct())
        {
            if (excluded is null || excluded.EvaluatedIn != table)
            {
                parts.Add(masks.ByKey[GroupKey(table, null)]);
            }
            else if (masks.ByKey.TryGetValue(GroupKey(table, excluded.Name), out var rest))
            {
                parts.Add(rest);
            }
            else if (entries.Any(e => e.Attribute.EvaluatedIn == table && e.Attribute.Name != excluded.Name))
            {
                // The excluded attribute had no filter of its own: the whole group applies.
                parts.Add(masks.ByKey[GroupKey(table, null)]);
            }
        }

        if (parts.Count == 0)
        {
            return null;
        }

        var result = (ulong[])parts[0].Clone();
        foreach (var part in parts.Skip(1))
        {
            for (var w = 0; w < result.Length; w++)
            {
                result[w] &= part[w];
            }
        }

        return result;
    }

    public FacetTotals Totals(Masks masks, IReadOnlyList<Filter> entries)
    {
        var visitor = new TotalsVisitor(this);
        Scan(Combine(masks, entries, null), ref visitor);
        return new FacetTotals(visitor.Collections, visitor.Patients, visitor.Studies, visitor.Series, visitor.Instances, visitor.Bytes);
    }

    public async Task<AttributeFacet> FacetAsync(Masks masks, IReadOnlyList<Filter> entries, FilterAttribute attribute, FacetQuery query, CancellationToken cancellationToken)
    {
        var column = await ColumnAsync(attribute).WaitAsync(cancellationToken).ConfigureAwait(false);
        var mask = Combine(masks, entries, attribute);
        var size = column.Shown.Length;
        var pivot = column.Rows is not null;
        if (!attribute.IsRanged)
        {
            var counts = new CodeCounts(size);
            if (pivot)
            {
                var visitor = new PivotCodesVisitor(this, column.Rows!, counts);
                Scan(mask, ref visitor);
            }
            else
            {
                var visitor = new PatientCodesVisitor(this, column, counts, null, null);
                Scan(mask, ref visitor);
            }

            var present = Enumerable.Range(0, size).Where(c => counts.Series[c] > 0)
                .OrderByDescending(c => counts.Series[c]).ThenByDescending(c => counts.Patients[c]).ThenBy(c => c).ToList();
            var values = present.Take(query.Limit).Select(c => new FacetValue(column.Shown[c], counts.Series[c], counts.Patients[c])).ToList();
            return new AttributeFacet(attribute, values, present.Count, null, null, pivot ? null : new FacetCount(counts.UnrecordedSeries, counts.UnrecordedPatients));
        }

        // Ranged: the values present give the range; a second pass counts each bin's distinct series and patients.
        var perCode = new CodeCounts(size);
        if (pivot)
        {
            var visitor = new PivotCodesVisitor(this, column.Rows!, perCode);
            Scan(mask, ref visitor);
        }
        else
        {
            var visitor = new PatientCodesVisitor(this, column, perCode, null, null);
            Scan(mask, ref visitor);
        }

        var numbers = column.Numbers!;
        var used = Enumerable.Range(1, size - 1).Where(c => perCode.Series[c] > 0).ToList();
        var missing = new FacetCount(perCode.Series[0], perCode.Patients[0]);
        var unrecorded = pivot ? null : new FacetCount(perCode.UnrecordedSeries, perCode.UnrecordedPatients);
        if (used.Count == 0)
        {
            return new AttributeFacet(attribute, null, 0, null, missing, unrecorded);
        }

        var min = used.Min(c => numbers[c]);
        var max = used.Max(c => numbers[c]);
        var bins = FacetEngine.BinBounds(min, max, query.Bins, attribute.Kind == AttributeKind.RangedInteger);
        var binOf = new int[size];
        binOf[0] = -1;
        for (var c = 1; c < size; c++)
        {
            var bin = 0;
            while (bin < bins.Count - 1 && !(numbers[c] < bins[bin].Upper))
            {
                bin++;
            }

            binOf[c] = bin;
        }

        var binCounts = new CodeCounts(bins.Count);
        if (pivot)
        {
            var visitor = new PivotBinsVisitor(this, column.Rows!, binOf, binCounts);
            Scan(mask, ref visitor);
        }
        else
        {
            var visitor = new PatientCodesVisitor(this, column, binCounts, binOf, new int[bins.Count]);
            Scan(mask, ref visitor);
        }

        var histogram = new FacetHistogram(min, max, [.. bins.Select((b, i) => b with { Series = binCounts.Series[i], Patients = binCounts.Patients[i] })]);
        return new AttributeFacet(attribute, null, bins.Count, histogram, missing, unrecorded);
    }

    /// <summary>Codes attributes now rather than on their first filter or facet (each costs 0.1-0.5 s at full IDC size).</summary>
    public async Task PrepareAsync(IEnumerable<FilterAttribute> attributes)
    {
        foreach (var attribute in attributes.Where(a => a.EvaluatedIn != SourceTable.DicomPivot || Covers([a.Name])))
        {
            await ColumnAsync(attribute).ConfigureAwait(false);
        }
    }

    private Task<Column> ColumnAsync(FilterAttribute attribute)
    {
        var load = _attributes.GetOrAdd(attribute.Name, _ => new Lazy<Task<Column>>(() => Task.Run(() => LoadColumn(attribute))));
        if (load.Value.IsFaulted)
        {
            // A failed load is not kept: the next request tries again.
            _attributes.TryRemove(new KeyValuePair<string, Lazy<Task<Column>>>(attribute.Name, load));
        }

        return load.Value;
    }

    /// <summary>Codes an attribute: its dictionary table (code 0 = no value) and the codes per row (or per patient, for TCGA).</summary>
    private Column LoadColumn(FilterAttribute attribute)
    {
        var pivot = attribute.EvaluatedIn == SourceTable.DicomPivot;
        var definition = ApiCatalog.TableSchemaOf(attribute.EvaluatedIn)[attribute.Name];
        var name = SqlText.Identifier(attribute.Name);
        var source = pivot ? _table : _tcga.Tcga(attribute.EvaluatedIn);
        var dictionary = $"{_table}_d{Interlocked.Increment(ref _dictionaries).ToString(CultureInfo.InvariantCulture)}";
        var text = definition.Type == ColumnType.String ? $"x.{name}" : $"CAST(x.{name} AS VARCHAR)";
        var stringLike = attribute.IsStringLike;
        var key = stringLike ? $"lower({text})" : $"x.{name}";
        var type = stringLike ? "VARCHAR" : definition.DuckDbType;
        using var connection = _open();
        Execute(connection,
            $"CREATE TABLE {dictionary} AS SELECT 0 AS code, CAST(NULL AS {type}) AS {name}, CAST(NULL AS {(stringLike ? "VARCHAR" : type)}) AS shown UNION ALL "
            + $"SELECT CAST(row_number() OVER (ORDER BY k) AS INTEGER), k, v FROM (SELECT {key} AS k, {(stringLike ? $"min({text})" : key)} AS v "
            + $"FROM {source} AS x WHERE x.{name} IS NOT NULL GROUP BY k)");

        var shown = new List<object?>();
        var numbers = new List<double>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT code, shown FROM {dictionary} ORDER BY code";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var value = reader.IsDBNull(1) ? null : reader.GetValue(1);
                shown.Add(value switch
                {
                    null => null,
                    string s => s,
                    int i => (long)i,
                    long or double => value,
                    BigInteger big => (long)big,
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                });
                numbers.Add(value is null || value is string ? double.NaN : Convert.ToDouble(value, CultureInfo.InvariantCulture));
            }
        }

        var join = $"LEFT JOIN {dictionary} AS d ON d.code > 0 AND d.{name} = {key}";
        if (pivot)
        {
            var rows = new int[Rows];
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT x.__row, coalesce(d.code, 0) FROM {_table} AS x {join}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows[reader.GetInt32(0)] = reader.GetInt32(1);
            }

            return new Column(dictionary, [.. shown], stringLike ? null : [.. numbers], rows, null, null);
        }

        // Per patient: the distinct codes of its records (several for biospecimen), as offsets into one array.
        var pairs = new List<(int Patient, int Code)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT DISTINCT p.code, coalesce(d.code, 0) AS c FROM {_patients} AS p JOIN {source} AS x ON p.PatientID = x.case_barcode {join} ORDER BY p.code, c";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pairs.Add((reader.GetInt32(0), reader.GetInt32(1)));
            }
        }

        var start = new int[_patientCount + 1];
        foreach (var (patient, _) in pairs)
        {
            start[patient + 1]++;
        }

        for (var p = 0; p < _patientCount; p++)
        {
            start[p + 1] += start[p];
        }

        return new Column(dictionary, [.. shown], stringLike ? null : [.. numbers], null, start, [.. pairs.Select(p => p.Code)]);
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Calls the visitor for every row of the mask (null: every row), in row order, i.e. patient by patient.</summary>
    private void Scan<TVisitor>(ulong[]? mask, ref TVisitor visitor)
        where TVisitor : struct, IRowVisitor
    {
        if (mask is null)
        {
            for (var r = 0; r < Rows; r++)
            {
                visitor.Visit(r);
            }

            return;
        }

        for (var w = 0; w < mask.Length; w++)
        {
            var bits = mask[w];
            while (bits != 0)
            {
                visitor.Visit((w << 6) + BitOperations.TrailingZeroCount(bits));
                bits &= bits - 1;
            }
        }
    }

    /// <summary>Filter results of one request, by filter key (TCGA groups by an internal key).</summary>
    public sealed record Masks(Dictionary<string, ulong[]> ByKey);

    /// <param name="Rows">dicom_pivot attributes: the code of each row.</param>
    /// <param name="PatientStart">TCGA attributes: where each patient's codes start in <paramref name="PatientCodes"/> (a patient without a record has none).</param>
    private sealed record Column(string Dictionary, object?[] Shown, double[]? Numbers, int[]? Rows, int[]? PatientStart, int[]? PatientCodes);

    private sealed class CodeCounts(int size)
    {
        public long[] Series { get; } = new long[size];
        public long[] Patients { get; } = new long[size];
        public int[] LastPatient { get; } = Enumerable.Repeat(-1, size).ToArray();
        public long UnrecordedSeries { get; set; }
        public long UnrecordedPatients { get; set; }
        public int LastUnrecorded { get; set; } = -1;

        public void Add(int code, int patient)
        {
            Series[code]++;
            if (LastPatient[code] != patient)
            {
                LastPatient[code] = patient;
                Patients[code]++;
            }
        }
    }

    private interface IRowVisitor
    {
        void Visit(int row);
    }

    private struct TotalsVisitor(FacetIndex index) : IRowVisitor
    {
        private readonly bool[] _studies = new bool[index._studyCount];
        private readonly bool[] _collections = new bool[index._collectionCount];
        private int _lastPatient = -1;

        public long Series;
        public long Patients;
        public long Studies;
        public long Collections;
        public long Instances;
        public long Bytes;

        public void Visit(int row)
        {
            Series++;
            Instances += index._instances[row];
            Bytes += index._bytes[row];
            var patient = index._patient[row];
            if (patient != _lastPatient)
            {
                _lastPatient = patient;
                Patients++;
            }

            if (!_studies[index._study[row]])
            {
                _studies[index._study[row]] = true;
                Studies++;
            }

            if (!_collections[index._collection[row]])
            {
                _collections[index._collection[row]] = true;
                Collections++;
            }
        }
    }

    private readonly struct PivotCodesVisitor(FacetIndex index, int[] codes, CodeCounts counts) : IRowVisitor
    {
        public void Visit(int row) => counts.Add(codes[row], index._patient[row]);
    }

    private readonly struct PivotBinsVisitor(FacetIndex index, int[] codes, int[] binOf, CodeCounts counts) : IRowVisitor
    {
        public void Visit(int row)
        {
            var bin = binOf[codes[row]];
            if (bin >= 0)
            {
                counts.Add(bin, index._patient[row]);
            }
        }
    }

    /// <summary>TCGA attributes: a series counts once under each distinct code (or bin) of its patient's records.</summary>
    private readonly struct PatientCodesVisitor(FacetIndex index, Column column, CodeCounts counts, int[]? binOf, int[]? lastRow) : IRowVisitor
    {
        public void Visit(int row)
        {
            var patient = index._patient[row];
            var from = column.PatientStart![patient];
            var to = column.PatientStart[patient + 1];
            if (from == to)
            {
                counts.UnrecordedSeries++;
                if (counts.LastUnrecorded != patient)
                {
                    counts.LastUnrecorded = patient;
                    counts.UnrecordedPatients++;
                }

                return;
            }

            for (var i = from; i < to; i++)
            {
                var code = column.PatientCodes![i];
                if (binOf is null)
                {
                    counts.Add(code, patient);
                    continue;
                }

                var bin = binOf[code];
                if (bin >= 0 && lastRow![bin] != row + 1)
                {
                    lastRow[bin] = row + 1;
                    counts.Add(bin, patient);
                }
            }
        }
    }
}
