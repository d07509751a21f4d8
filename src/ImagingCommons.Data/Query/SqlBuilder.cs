using System.Globalization;
using System.Text;
using System.Text.Json;
using ImagingCommons.Data.Schema;
using static ImagingCommons.Data.SqlText;

namespace ImagingCommons.Data.Query;

/// <summary>How a result column is rendered on the wire.</summary>
public enum OutputRole
{
    /// <summary>A column value, rendered by its schema type.</summary>
    Value,

    /// <summary>A crdc UUID rendered as a v1 GUID with the "dg.4DFC/" prefix.</summary>
    Guid,

    /// <summary>A count or group_size: always an integer.</summary>
    Aggregate,
}

public sealed record OutputColumn(string Name, ColumnType Type, OutputRole Role = OutputRole.Value);

/// <summary>SQL with table placeholders ({dicom_pivot}, …) and positional parameters ($1, $2, …).</summary>
public sealed record CompiledQuery(string Sql, IReadOnlyList<object> Parameters, IReadOnlyList<OutputColumn> Columns, IReadOnlyList<string> OrderBy)
{
    /// <summary>
    /// The same rows as <see cref="Sql"/>, with the same parameters, over instance-table rows no two of which share
    /// their series identifiers and SOPInstanceUID (all in the output, so each such row is a group of its own): one
    /// row per row read, with no DISTINCT or GROUP BY, which cost a 20,000-row window about 45 of its 150 ms at full
    /// size. Null when the query reads the series table, joins a TCGA table, or its output lacks one of them.
    /// </summary>
    public string? PerRowSql { get; init; }
}

/// <summary>
/// Compiles a <see cref="QuerySpec"/> to DuckDB SQL over a release's tables. Values never enter the SQL text:
/// every filter value is a parameter; identifiers come only from the fixed catalog.
/// </summary>
public static class SqlBuilder
{
    /// <summary>v1 manifest columns: query parameter / output key → dicom_pivot column, in the original's order.</summary>
    public static readonly IReadOnlyList<(string Key, string Column)> V1ManifestColumns =
    [
        ("Collection_ID", "collection_id"),
        ("Patient_ID", "PatientID"),
        ("StudyInstanceUID", "StudyInstanceUID"),
        ("SeriesInstanceUID", "SeriesInstanceUID"),
        ("SOPInstanceUID", "SOPInstanceUID"),
        ("Source_DOI", "source_DOI"),
        ("CRDC_Study_GUID", "crdc_study_uuid"),
        ("CRDC_Series_GUID", "crdc_series_uuid"),
        ("CRDC_Instance_GUID", "crdc_instance_uuid"),
        ("GCS_URL", "gcs_url"),
    ];

    private static readonly string[] CountLevels = ["collection", "patient", "study", "series", "instance"];

    private static readonly Dictionary<string, string> CountColumns = new()
    {
        ["collection"] = "collection_id",
        ["patient"] = "PatientID",
        ["study"] = "StudyInstanceUID",
        ["series"] = "SeriesInstanceUID",
        ["instance"] = "SOPInstanceUID",
    };

    /// <summary>The columns that tell an instance-table row from every other of a well-formed release (<see cref="CompiledQuery.PerRowSql"/>).</summary>
    private static readonly string[] RowIdentifiers = [.. SeriesColumns.Keys, "SOPInstanceUID"];

    /// <summary><see cref="CompiledQuery.PerRowSql"/>: the output's rows as they are read, when they may be.</summary>
    /// <param name="filter">The query's WHERE (each <see cref="WhereBuilder.Where"/> adds its parameters again).</param>
    private static string? PerRow(WhereBuilder where, IReadOnlyList<SourceTable> extraTables, IEnumerable<string> outputColumns, string select, string filter) =>
        !where.BySeries && !where.Joins(extraTables) && RowIdentifiers.All(outputColumns.Contains)
            ? $"SELECT {select} {where.From(extraTables)} {filter}"
            : null;

    /// <param name="series">The release's series table, when it is ready: queries that need nothing finer than a
    /// series read it instead of the instance table (same rows, same order).</param>
    public static CompiledQuery Compile(QuerySpec spec, SeriesColumns? series = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var filters = spec.Filters;
        return spec.Kind switch
        {
            QueryKind.V1Manifest => V1Manifest(spec, filters, series),
            QueryKind.V1Query => V1Query(spec, filters, series),
            QueryKind.V1DicomMetadata => DicomMetadata(),
            QueryKind.V2Manifest => V2Manifest(spec, filters, series),
            QueryKind.V1CohortObjects => V1CohortObjects(spec, filters, series),
            _ => throw new InvalidOperationException("Unknown query kind " + spec.Kind),
        };
    }

    /// <summary>
    /// The dicom_pivot columns of a query's output in its API order (its ORDER BY); null for an output that is no
    /// dicom_pivot column (a TCGA field). Every output of these kinds is in its ORDER BY.
    /// </summary>
    public static IReadOnlyList<string?> PivotOrder(QuerySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        switch (spec.Kind)
        {
            case QueryKind.V1Manifest:
                var selected = V1ManifestColumns.Where(c => spec.Fields.Contains(c.Key)).Select(c => c.Column).ToList();
                return selected.Count == 0 ? [] : [selected[^1], .. selected.Take(selected.Count - 1)];
            case QueryKind.V1Query:
                return spec.Fields.Distinct(StringComparer.Ordinal).Select(ApiCatalog.V1QueryColumn).ToList();
            case QueryKind.V1CohortObjects:
                return CohortLevels.All.Take(CohortLevels.Depth(spec.Level)).Select(l => l.Column).ToList();
            case QueryKind.V2Manifest:
                return spec.Fields.Select(f => ApiCatalog.V2FieldsLower[f.ToLowerInvariant()]).DistinctBy(f => f.Name)
                    .Select(f => f.EvaluatedIn == SourceTable.DicomPivot ? f.Name : null).ToList();
            case QueryKind.V1DicomMetadata:
                return ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"];
            default:
                throw new InvalidOperationException("Unknown query kind " + spec.Kind);
        }
    }

    /// <summary>
    /// The distinct series that pass a spec's filters, read from the series table (which must cover the filters), with
    /// <paramref name="columns"/> of it: the engine numbers them to page through an instance listing by series.
    /// </summary>
    /// <param name="identifying">The columns identify a series (as its first row does): DISTINCT only undoes the rows a TCGA join repeats.</param>
    public static CompiledQuery QualifyingSeries(QuerySpec spec, IReadOnlyList<string> columns, bool identifying = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(columns);
        var where = new WhereBuilder(spec.Filters, bySeries: true);
        var select = string.Join(", ", columns.Select(c => $"dicom_pivot.{Identifier(c)} AS {Identifier(c)}"));
        var distinct = where.Distinct(identifying ? [.. columns, .. SeriesColumns.Keys] : columns);
        return new CompiledQuery($"SELECT {distinct}{select} {where.From(extraTables: [])} {where.Where()}", where.Parameters, [], []);
    }

    /// <summary>Whether the series table can evaluate every dicom_pivot filter of a filter set (TCGA filters join either table).</summary>
    public static bool SeriesCoverFilters(SeriesColumns series, FilterSet filters)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(filters);
        return series.Covers(filters.Entries.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot).Select(e => e.Attribute.Name));
    }

    /// <summary>The granularity of a v2 manifest (decides which counts are added), per the original's rules.</summary>
    public static string Granularity(IEnumerable<string> fields)
    {
        var lower = fields.Select(f => f.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (lower.Overlaps(["sopinstanceuid", "crdc_instance_uuid", "gcs_url", "aws_url"]))
        {
            return "instance";
        }

        if (lower.Overlaps(["seriesinstanceuid", "crdc_series_uuid"]))
        {
            return "series";
        }

        if (lower.Overlaps(["studyinstanceuid", "crdc_study_uuid"]))
        {
            return "study";
        }

        if (lower.Contains("patientid"))
        {
            return "patient";
        }

        return lower.Contains("collection_id") ? "collection" : "version";
    }

    /// <summary>The count columns a granularity adds, in output order.</summary>
    public static IReadOnlyList<string> CountNames(string granularity) => granularity switch
    {
        "instance" => [],
        "version" => CountLevels.Select(l => l + "_count").ToList(),
        _ => CountLevels.SkipWhile(l => l != granularity).Skip(1).Select(l => l + "_count").ToList(),
    };

    /// <summary>Whether a query touching these pivot columns (besides its filters') can read the series table.</summary>
    private static bool UseSeries(SeriesColumns? series, FilterSet filters, IEnumerable<string> outputColumns) =>
        series is not null
        && series.Covers(outputColumns)
        && series.Covers(filters.Entries.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot).Select(e => e.Attribute.Name));

    private static CompiledQuery V1Manifest(QuerySpec spec, FilterSet filters, SeriesColumns? series)
    {
        var selected = V1ManifestColumns.Where(c => spec.Fields.Contains(c.Key)).ToList();
        var where = new WhereBuilder(filters, UseSeries(series, filters, selected.Select(c => c.Column)));
        var select = string.Join(", ", selected.Select(c => $"dicom_pivot.{Identifier(c.Column)} AS {Identifier(c.Key)}"));
        // The original orders by the last selected column only; the others break ties so pages are deterministic.
        var order = new List<string> { selected[^1].Key };
        order.AddRange(selected.Take(selected.Count - 1).Select(c => c.Key));
        var filter = where.Where();
        var sql = $"SELECT {where.Distinct(selected.Select(c => c.Column))}{select} {where.From(extraTables: [])} {filter}";
        var columns = selected.Select(c => new OutputColumn(c.Key, ColumnType.String,
            c.Key.StartsWith("CRDC_", StringComparison.Ordinal) ? OutputRole.Guid : OutputRole.Value)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, order) { PerRowSql = PerRow(where, [], selected.Select(c => c.Column), select, filter) };
    }

    private static CompiledQuery V1Query(QuerySpec spec, FilterSet filters, SeriesColumns? series)
    {
        var fields = spec.Fields.Distinct(StringComparer.Ordinal).ToList();
        var where = new WhereBuilder(filters, UseSeries(series, filters, fields.Select(ApiCatalog.V1QueryColumn)));
        var select = string.Join(", ", fields.Select(f => $"dicom_pivot.{Identifier(ApiCatalog.V1QueryColumn(f))} AS {Identifier(f)}"));
        var filter = where.Where();
        var sql = $"SELECT {where.Distinct(fields.Select(ApiCatalog.V1QueryColumn))}{select} {where.From(extraTables: [])} {filter}";
        var columns = fields.Select(f => new OutputColumn(f, IdcSchema.DicomPivot[ApiCatalog.V1QueryColumn(f)].Type)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, fields) { PerRowSql = PerRow(where, [], fields.Select(ApiCatalog.V1QueryColumn), select, filter) };
    }

    /// <summary>
    /// The distinct id paths (collection, patient, study, series, instance) down to the spec's level: one row per leaf
    /// of the tree, ordered by the ids of every level in turn so that a page is a contiguous part of the tree.
    /// </summary>
    private static CompiledQuery V1CohortObjects(QuerySpec spec, FilterSet filters, SeriesColumns? series)
    {
        var depth = CohortLevels.Depth(spec.Level);
        if (depth == 0)
        {
            throw new InvalidOperationException("Unknown cohort level " + spec.Level);
        }

        var levels = CohortLevels.All.Take(depth).ToList();
        var where = new WhereBuilder(filters, UseSeries(series, filters, levels.Select(l => l.Column)));
        var select = string.Join(", ", levels.Select(l => $"dicom_pivot.{Identifier(l.Column)} AS {Identifier(l.Key)}"));
        var filter = where.Where();
        var sql = $"SELECT {where.Distinct(levels.Select(l => l.Column))}{select} {where.From(extraTables: [])} {filter}";
        var columns = levels.Select(l => new OutputColumn(l.Key, IdcSchema.DicomPivot[l.Column].Type)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, levels.Select(l => l.Key).ToList()) { PerRowSql = PerRow(where, [], levels.Select(l => l.Column), select, filter) };
    }

    private static CompiledQuery DicomMetadata()
    {
        var select = string.Join(", ", ApiCatalog.DicomMetadataColumns.Select(c => $"dicom_pivot.{Identifier(ApiCatalog.DicomMetadataColumn(c))} AS {Identifier(c)}"));
        var sql = $"SELECT {select} FROM {{dicom_pivot}} AS dicom_pivot";
        var columns = ApiCatalog.DicomMetadataColumns.Select(c => new OutputColumn(c, IdcSchema.DicomPivot[ApiCatalog.DicomMetadataColumn(c)].Type)).ToList();
        return new CompiledQuery(sql, [], columns, ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"]);
    }

    private static CompiledQuery V2Manifest(QuerySpec spec, FilterSet filters, SeriesColumns? series)
    {
        var fields = spec.Fields.Select(f => ApiCatalog.V2FieldsLower[f.ToLowerInvariant()]).DistinctBy(f => f.Name).ToList();
        var bySeries = UseSeries(series, filters, fields.Where(f => f.EvaluatedIn == SourceTable.DicomPivot).Select(f => f.Name));
        var where = new WhereBuilder(filters, bySeries);
        var extraTables = fields.Select(f => f.EvaluatedIn).Where(t => t != SourceTable.DicomPivot).ToList();

        // Stage 1: the qualifying rows, one per (instance, joined TCGA row), with what the groups and counts need.
        var inner = new List<string>();
        foreach (var field in fields)
        {
            inner.Add($"{Alias(field.EvaluatedIn)}.{Identifier(field.Name)} AS {Identifier(field.Name)}");
        }

        // Per instance, or per series with its instance count and bytes: either way each group sees each of its
        // instances (or series) once, because the inner rows are distinct.
        // A level whose identifier is among the fields is counted on that field's column: a copy of it would widen
        // the DISTINCT for nothing (an instance listing's six identifiers took 60 ms a 10,000-row page, 38 without).
        var counted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (level, column) in CountColumns.Where(c => !bySeries || c.Key != "instance"))
        {
            if (fields.Any(f => f.EvaluatedIn == SourceTable.DicomPivot && f.Name == column))
            {
                counted[level] = column;
            }
            else
            {
                counted[level] = "__" + level;
                inner.Add($"dicom_pivot.{Identifier(column)} AS {Identifier("__" + level)}");
            }
        }

        inner.Add(bySeries ? "dicom_pivot.__instances AS __instances" : "dicom_pivot.\"instance_size\" AS __size");
        if (bySeries)
        {
            inner.Add("dicom_pivot.__size AS __size");
        }

        // Stage 2: groups. StudyDate and StudyDescription aggregate instead of grouping.
        var groupFields = fields.Where(f => f.Name is not ("StudyDate" or "StudyDescription")).ToList();
        var outer = new List<string>();
        var columns = new List<OutputColumn>();
        var order = new List<string>();
        foreach (var field in fields)
        {
            var type = ApiCatalog.TableSchemaOf(field.EvaluatedIn)[field.Name].Type;
            columns.Add(new OutputColumn(field.Name, type));
            order.Add(field.Name);
            outer.Add(field.Name switch
            {
                "StudyDate" => $"MIN({Identifier(field.Name)}) AS {Identifier(field.Name)}",
                "StudyDescription" => $"string_agg(DISTINCT {Identifier(field.Name)}, ',' ORDER BY {Identifier(field.Name)}) AS {Identifier(field.Name)}",
                _ => Identifier(field.Name),
            });
        }

        if (spec.Counts)
        {
            foreach (var count in CountNames(Granularity(fields.Select(f => f.Name))))
            {
                var level = count[..^"_count".Length];
                outer.Add(bySeries && level == "instance"
                    ? $"CAST(coalesce(SUM(__instances), 0) AS BIGINT) AS {Identifier(count)}"
                    : $"COUNT(DISTINCT {Identifier(counted[level])}) AS {Identifier(count)}");
                columns.Add(new OutputColumn(count, ColumnType.Integer, OutputRole.Aggregate));
            }
        }

        if (spec.GroupSize)
        {
            // Summed over distinct instances: the inner rows are distinct per (instance, group), so joined TCGA
            // rows that only repeat an instance inside one group do not count it twice (the original did).
            outer.Add("CAST(SUM(__size) AS BIGINT) AS group_size");
            columns.Add(new OutputColumn("group_size", ColumnType.Integer, OutputRole.Aggregate));
        }

        // On the series table with no join, every row is a distinct series: the inner rows are distinct already, and
        // when the groups hold the series identifiers each group is one series, so its row is the group's answer.
        var unique = bySeries && !where.Joins(extraTables);
        if (unique && SeriesColumns.Keys.All(k => groupFields.Any(f => f.Name == k))
            && (!spec.Counts || CountNames(Granularity(fields.Select(f => f.Name))).All(c => c == "instance_count")))
        {
            var row = fields.Select(f => $"dicom_pivot.{Identifier(f.Name)} AS {Identifier(f.Name)}").ToList();
            if (spec.Counts && CountNames(Granularity(fields.Select(f => f.Name))).Count > 0)
            {
                row.Add("CAST(coalesce(dicom_pivot.__instances, 0) AS BIGINT) AS \"instance_count\"");
            }

            if (spec.GroupSize)
            {
                row.Add("CAST(dicom_pivot.__size AS BIGINT) AS group_size");
            }

            return new CompiledQuery($"SELECT {string.Join(", ", row)} {where.From(extraTables)} {where.Where()}", where.Parameters, columns, order);
        }

        var filter = where.Where();
        var innerSql = $"SELECT {(unique ? "" : "DISTINCT ")}{string.Join(", ", inner)} {where.From(extraTables)} {filter}";
        var groupBy = groupFields.Count > 0 ? " GROUP BY " + string.Join(", ", groupFields.Select(f => Identifier(f.Name))) : "";
        var sql = $"SELECT {(outer.Count > 0 ? string.Join(", ", outer) : "COUNT(*) AS __rows")} FROM ({innerSql}) AS r{groupBy}";

        // A group of one row: its fields as they are (StudyDate's MIN and StudyDescription's string_agg of one value
        // are that value), no counts (SOPInstanceUID makes the granularity the instance's), its own size.
        var perRow = PerRow(where, extraTables, fields.Select(f => f.Name), string.Join(", ",
            fields.Select(f => $"dicom_pivot.{Identifier(f.Name)} AS {Identifier(f.Name)}")
                .Concat(spec.GroupSize ? ["CAST(dicom_pivot.\"instance_size\" AS BIGINT) AS group_size"] : [])), filter);
        return new CompiledQuery(sql, where.Parameters, columns, order) { PerRowSql = perRow };
    }

    internal static string Alias(SourceTable table) => ApiCatalog.TableName(table);

    /// <summary>Builds FROM with the TCGA joins a query needs and WHERE with the spec's cross-source semantics.</summary>
    private sealed class WhereBuilder
    {
        private readonly FilterSet _filters;
        private readonly bool _bySeries;
        private readonly FilterSql _sql;

        public WhereBuilder(FilterSet filters, bool bySeries = false)
        {
            _filters = filters;
            _bySeries = bySeries;
            _sql = new FilterSql(filters.Version);
        }

        public IReadOnlyList<object> Parameters => _sql.Parameters;

        /// <summary>Whether FROM reads the series table.</summary>
        public bool BySeries => _bySeries;

        /// <summary>Whether FROM joins a TCGA table (for the filters or for <paramref name="extraTables"/>).</summary>
        public bool Joins(IReadOnlyList<SourceTable> extraTables) =>
            _filters.Entries.Any(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot) || extraTables.Any(t => t != SourceTable.DicomPivot);

        /// <summary>DISTINCT, unless the rows are distinct already: series-table rows, no join, and the series identifiers among the columns.</summary>
        public string Distinct(IEnumerable<string> columns) =>
            _bySeries && !Joins([]) && SeriesColumns.Keys.All(columns.Contains) ? "" : "DISTINCT ";

        public string From(IReadOnlyList<SourceTable> extraTables)
        {
            var tables = _filters.Entries.Select(e => e.Attribute.EvaluatedIn).Concat(extraTables)
                .Where(t => t != SourceTable.DicomPivot).Distinct().OrderBy(t => t).ToList();
            // The series table takes the instance table's alias: predicates and joins read the same either way.
            var builder = new StringBuilder(_bySeries ? "FROM {series} AS dicom_pivot" : "FROM {dicom_pivot} AS dicom_pivot");
            foreach (var table in tables)
            {
                var name = ApiCatalog.TableName(table);
                builder.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {{{name}}} AS {name} ON dicom_pivot.\"PatientID\" = {name}.case_barcode");
            }

            return builder.ToString();
        }

        public string Where()
        {
            var clauses = new List<string>();
            foreach (var entry in _filters.Entries.Where(e => e.Attribute.EvaluatedIn == SourceTable.DicomPivot))
            {
                clauses.Add("(" + Predicate(entry) + ")");
            }

            // TCGA predicates are grouped per table and pass patients that have no record in that table.
            foreach (var group in _filters.Entries.Where(e => e.Attribute.EvaluatedIn != SourceTable.DicomPivot).GroupBy(e => e.Attribute.EvaluatedIn).OrderBy(g => g.Key))
            {
                var name = ApiCatalog.TableName(group.Key);
                var inner = string.Join(" AND ", group.Select(e => "(" + Predicate(e) + ")"));
                clauses.Add($"(({inner}) OR {name}.case_barcode IS NULL)");
            }

            return clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses);
        }

        private string Predicate(Filter filter)
        {
            var table = filter.Attribute.EvaluatedIn;
            var column = ApiCatalog.TableSchemaOf(table)[filter.Attribute.Name];
            return _sql.Predicate(filter, $"{Alias(table)}.{Identifier(column.Name)}");
        }
    }
}
