using System.Globalization;
using System.Text;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>The tables one facet query reads: the release's instance table and its two TCGA tables.</summary>
internal sealed record FacetSource(string Pivot, string Clinical, string Biospecimen)
{
    public string Tcga(SourceTable table) => table == SourceTable.Clinical ? Clinical : Biospecimen;
}

/// <summary>
/// Compiles the facet queries to DuckDB SQL. The filters mean exactly what they mean to the manifests
/// (<see cref="SqlBuilder"/>, spec §5): per row of the instance table, case-insensitive strings with per-value <c>%</c>
/// wildcards and "None" for NULL, exact suffix bounds, and TCGA predicates grouped per table that pass patients
/// without a record. TCGA tables are read through semi-joins rather than joins, so a patient's several samples never
/// multiply its series. Values never enter the SQL text: each is a parameter of the query being built.
/// </summary>
internal sealed class FacetsSql(FacetSource source, ApiVersion version)
{
    private readonly FilterSql _sql = new(version);

    public IReadOnlyList<object> Parameters => _sql.Parameters;

    /// <summary>Totals under the filters: distinct collections, patients, studies and series, instances, bytes.</summary>
    public string Totals(IReadOnlyList<Filter> filters)
    {
        return "SELECT count(DISTINCT p.collection_id), count(DISTINCT p.PatientID), count(DISTINCT p.StudyInstanceUID), "
            + "count(DISTINCT p.SeriesInstanceUID), count(DISTINCT p.SOPInstanceUID), CAST(coalesce(sum(p.instance_size), 0) AS BIGINT) "
            + $"FROM {source.Pivot} AS p WHERE {Where(filters)}";
    }

    /// <summary>
    /// A categorical dicom_pivot attribute: one row per value (key, shown value, series, patients, number of values),
    /// most series first, at most <paramref name="limit"/> rows.
    /// </summary>
    public string PivotValues(FilterAttribute attribute, IReadOnlyList<Filter> filters, int limit)
    {
        var (key, shown) = KeyAndShown("p", attribute);
        return "SELECT k, v, series, patients, count(*) OVER () AS n FROM ("
            + $"SELECT {key} AS k, {shown} AS v, count(DISTINCT p.SeriesInstanceUID) AS series, count(DISTINCT p.PatientID) AS patients "
            + $"FROM {source.Pivot} AS p WHERE {Where(filters)} GROUP BY k) "
            + $"ORDER BY series DESC, patients DESC, k ASC NULLS FIRST LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// A categorical TCGA attribute: one row per (unrecorded, key): series whose patient has a record with that value,
    /// and (unrecorded = true, key NULL) series whose patient has no record in the table.
    /// </summary>
    public string TcgaValues(FilterAttribute attribute, IReadOnlyList<Filter> filters)
    {
        var (key, shown) = KeyAndShown("t", attribute);
        return $"WITH q AS ({Cohort(filters)}) "
            + $"SELECT t.case_barcode IS NULL AS u, {key} AS k, {shown} AS v, count(DISTINCT q.s) AS series, count(DISTINCT q.pt) AS patients "
            + $"FROM q LEFT JOIN {source.Tcga(attribute.EvaluatedIn)} AS t ON q.pt = t.case_barcode GROUP BY u, k";
    }

    /// <summary>The smallest and largest value of a ranged attribute under the filters (both NULL when none has one).</summary>
    public string Range(FilterAttribute attribute, IReadOnlyList<Filter> filters)
    {
        if (attribute.EvaluatedIn == SourceTable.DicomPivot)
        {
            var column = Column("p", attribute);
            return $"SELECT min({column}), max({column}) FROM {source.Pivot} AS p WHERE {Where(filters)}";
        }

        var tcga = Column("t", attribute);
        return $"WITH q AS ({Cohort(filters)}) SELECT min({tcga}), max({tcga}) FROM q JOIN {source.Tcga(attribute.EvaluatedIn)} AS t ON q.pt = t.case_barcode";
    }

    /// <summary>
    /// Series and patients per bin of a ranged attribute: bin i holds values from bounds[i-1] (or the minimum) up to
    /// bounds[i] exclusive, the last bin the rest; bin -1 rows without a value, bin -2 (TCGA) patients without a record.
    /// The bounds are DOUBLE parameters compared as the filters compare them, so a bin's count is what the filter
    /// <c>_ebtw [lower, upper]</c> selects.
    /// </summary>
    public string Bins(FilterAttribute attribute, IReadOnlyList<Filter> filters, IReadOnlyList<double> innerBounds)
    {
        var pivot = attribute.EvaluatedIn == SourceTable.DicomPivot;
        var column = Column(pivot ? "p" : "t", attribute);
        var bin = new StringBuilder("CASE ");
        if (!pivot)
        {
            bin.Append("WHEN t.case_barcode IS NULL THEN -2 ");
        }

        bin.Append(CultureInfo.InvariantCulture, $"WHEN {column} IS NULL THEN -1 ");
        for (var i = 0; i < innerBounds.Count; i++)
        {
            bin.Append(CultureInfo.InvariantCulture, $"WHEN {column} < {Number(innerBounds[i])} THEN {i} ");
        }

        bin.Append(CultureInfo.InvariantCulture, $"ELSE {innerBounds.Count} END");
        return pivot
            ? $"SELECT {bin} AS b, count(DISTINCT p.SeriesInstanceUID), count(DISTINCT p.PatientID) FROM {source.Pivot} AS p WHERE {Where(filters)} GROUP BY b"
            : $"WITH q AS ({Cohort(filters)}) SELECT {bin} AS b, count(DISTINCT q.s), count(DISTINCT q.pt) "
              + $"FROM q LEFT JOIN {source.Tcga(attribute.EvaluatedIn)} AS t ON q.pt = t.case_barcode GROUP BY b";
    }

    /// <summary>The cohort's distinct (series, patient) pairs: what TCGA facets join their records to.</summary>
    private string Cohort(IReadOnlyList<Filter> filters) =>
        $"SELECT DISTINCT p.SeriesInstanceUID AS s, p.PatientID AS pt FROM {source.Pivot} AS p WHERE {Where(filters)}";

    /// <summary>The bucket key (lower-cased text for string-like attributes, as the filters compare) and the value shown.</summary>
    private static (string Key, string Shown) KeyAndShown(string alias, FilterAttribute attribute)
    {
        if (!attribute.IsStringLike)
        {
            var column = Column(alias, attribute);
            return (column, column);
        }

        var text = Text(alias, attribute);
        return ($"lower({text})", $"min({text})");
    }

    private static string Column(string alias, FilterAttribute attribute) => $"{alias}.{SqlText.Identifier(attribute.Name)}";

    private static string Text(string alias, FilterAttribute attribute) =>
        ApiCatalog.TableSchemaOf(attribute.EvaluatedIn)[attribute.Name].Type == ColumnType.String
            ? Column(alias, attribute)
            : $"CAST({Column(alias, attribute)} AS VARCHAR)";

    public string Where(IReadOnlyList<Filter> filters)
    {
        var clauses = new List<string>();
        foreach (var entry in filters.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot))
        {
            clauses.Add("(" + Predicate("p", entry) + ")");
        }

        foreach (var group in filters.Where(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot).GroupBy(e => e.Attribute.EvaluatedIn).OrderBy(g => g.Key))
        {
            clauses.Add(TcgaClause("p", group.Key, [.. group]));
        }

        return clauses.Count == 0 ? "TRUE" : string.Join(" AND ", clauses);
    }

    /// <summary>
    /// A patient (column PatientID of <paramref name="alias"/>) passes a TCGA table's predicates when one of its rows
    /// satisfies them all, or when it has no row at all.
    /// </summary>
    public string TcgaClause(string alias, SourceTable table, IReadOnlyList<Filter> entries)
    {
        var name = source.Tcga(table);
        var inner = string.Join(" AND ", entries.Select(e => "(" + Predicate("t", e) + ")"));
        return $"({alias}.PatientID IS NULL OR {alias}.PatientID IN (SELECT t.case_barcode FROM {name} AS t WHERE {inner}) "
            + $"OR {alias}.PatientID NOT IN (SELECT t.case_barcode FROM {name} AS t WHERE t.case_barcode IS NOT NULL))";
    }

    /// <summary>One filter's predicate on the attribute's column of <paramref name="alias"/>.</summary>
    public string Predicate(string alias, Filter entry) => _sql.Predicate(entry, Column(alias, entry.Attribute));

    private string Number(double value) => _sql.Number(value);
}
