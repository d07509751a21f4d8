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
public sealed record CompiledQuery(string Sql, IReadOnlyList<object> Parameters, IReadOnlyList<OutputColumn> Columns, IReadOnlyList<string> OrderBy);

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
        var sql = $"SELECT DISTINCT {select} {where.From(extraTables: [])} {where.Where()}";
        var columns = selected.Select(c => new OutputColumn(c.Key, ColumnType.String,
            c.Key.StartsWith("CRDC_", StringComparison.Ordinal) ? OutputRole.Guid : OutputRole.Value)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, order);
    }

    private static CompiledQuery V1Query(QuerySpec spec, FilterSet filters, SeriesColumns? series)
    {
        var fields = spec.Fields.Distinct(StringComparer.Ordinal).ToList();
        var where = new WhereBuilder(filters, UseSeries(series, filters, fields.Select(ApiCatalog.V1QueryColumn)));
        var select = string.Join(", ", fields.Select(f => $"dicom_pivot.{Identifier(ApiCatalog.V1QueryColumn(f))} AS {Identifier(f)}"));
        var sql = $"SELECT DISTINCT {select} {where.From(extraTables: [])} {where.Where()}";
        var columns = fields.Select(f => new OutputColumn(f, IdcSchema.DicomPivot[ApiCatalog.V1QueryColumn(f)].Type)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, fields);
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
        var sql = $"SELECT DISTINCT {select} {where.From(extraTables: [])} {where.Where()}";
        var columns = levels.Select(l => new OutputColumn(l.Key, IdcSchema.DicomPivot[l.Column].Type)).ToList();
        return new CompiledQuery(sql, where.Parameters, columns, levels.Select(l => l.Key).ToList());
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
        foreach (var (level, column) in CountColumns.Where(c => !bySeries || c.Key != "instance"))
        {
            inner.Add($"dicom_pivot.{Identifier(column)} AS {Identifier("__" + level)}");
        }

        inner.Add(bySeries ? "dicom_pivot.__instances AS __instances" : "dicom_pivot.instance_size AS __size");
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
                    : $"COUNT(DISTINCT {Identifier("__" + level)}) AS {Identifier(count)}");
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

        var innerSql = $"SELECT DISTINCT {string.Join(", ", inner)} {where.From(extraTables)} {where.Where()}";
        var groupBy = groupFields.Count > 0 ? " GROUP BY " + string.Join(", ", groupFields.Select(f => Identifier(f.Name))) : "";
        var sql = $"SELECT {(outer.Count > 0 ? string.Join(", ", outer) : "COUNT(*) AS __rows")} FROM ({innerSql}) AS r{groupBy}";
        return new CompiledQuery(sql, where.Parameters, columns, order);
    }

    internal static string Alias(SourceTable table) => ApiCatalog.TableName(table);

    /// <summary>Builds FROM with the TCGA joins a query needs and WHERE with the spec's cross-source semantics.</summary>
    private sealed class WhereBuilder
    {
        private readonly FilterSet _filters;
        private readonly bool _bySeries;
        private readonly List<object> _parameters = [];

        public WhereBuilder(FilterSet filters, bool bySeries = false)
        {
            _filters = filters;
            _bySeries = bySeries;
        }

        public IReadOnlyList<object> Parameters => _parameters;

        public string From(IReadOnlyList<SourceTable> extraTables)
        {
            var tables = _filters.Entries.Select(e => e.Attribute.EvaluatedIn).Concat(extraTables)
                .Where(t => t != SourceTable.DicomPivot).Distinct().OrderBy(t => t).ToList();
            // The series table takes the instance table's alias: predicates and joins read the same either way.
            var builder = new StringBuilder(_bySeries ? "FROM {series} AS dicom_pivot" : "FROM {dicom_pivot} AS dicom_pivot");
            foreach (var table in tables)
            {
                var name = ApiCatalog.TableName(table);
                builder.Append(CultureInfo.InvariantCulture, $" LEFT JOIN {{{name}}} AS {name} ON dicom_pivot.PatientID = {name}.case_barcode");
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

        private string Parameter(object value)
        {
            _parameters.Add(value);
            return "$" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        }

        private string Predicate(Filter filter)
        {
            var attribute = filter.Attribute;
            var table = attribute.EvaluatedIn;
            var column = ApiCatalog.TableSchemaOf(table)[attribute.Name];
            var expression = $"{Alias(table)}.{Identifier(column.Name)}";
            switch (filter)
            {
                case TextFilter text:
                    return TextPredicate(text, expression, column.Type == ColumnType.String ? expression : $"CAST({expression} AS VARCHAR)");

                case NumberSetFilter set:
                    return string.Join(" OR ", set.Values.Select(n => $"{expression} = {Number(n.Value)}"));

                case RangeFilter range:
                    var low = range.Low.Value;
                    var high = range.High.Value;
                    return range.Operator switch
                    {
                        RangeOperator.Eq => $"{expression} = {Number(low)}",
                        RangeOperator.Gt => $"{expression} > {Number(low)}",
                        RangeOperator.Gte => $"{expression} >= {Number(low)}",
                        RangeOperator.Lt => $"{expression} < {Number(low)}",
                        RangeOperator.Lte => $"{expression} <= {Number(low)}",
                        RangeOperator.Btw => $"{expression} > {Number(low)} AND {expression} < {Number(high)}",
                        RangeOperator.Ebtw => $"{expression} >= {Number(low)} AND {expression} < {Number(high)}",
                        RangeOperator.Btwe => $"{expression} > {Number(low)} AND {expression} <= {Number(high)}",
                        RangeOperator.Ebtwe => $"{expression} BETWEEN {Number(low)} AND {Number(high)}",
                        _ => throw new InvalidOperationException("Unknown operator " + range.Operator),
                    };

                default:
                    throw new InvalidOperationException("Unknown filter " + filter.GetType().Name);
            }
        }

        /// <summary>Any of the values, case-insensitively; "None" is NULL and a value with % a LIKE pattern.</summary>
        private string TextPredicate(TextFilter text, string expression, string asText)
        {
            var alternatives = new List<string>();
            foreach (var value in text.Values)
            {
                if (value == "None")
                {
                    alternatives.Add($"{expression} IS NULL");
                    continue;
                }

                var s = text.Attribute.Name == "collection_id" ? FilterSet.NormalizeCollectionId(value, _filters.Version) : value;
                alternatives.Add(s.Contains('%', StringComparison.Ordinal)
                    ? $"lower({asText}) LIKE lower({Parameter(s)})"
                    : $"lower({asText}) = lower({Parameter(s)})");
            }

            return string.Join(" OR ", alternatives);
        }

        /// <summary>
        /// A numeric parameter typed DOUBLE: DuckDB otherwise gives a parameter the type of the column it meets, so a
        /// value beyond BIGINT's range (1e308 against age_at_diagnosis) would fail to convert instead of comparing.
        /// </summary>
        private string Number(double value) => $"CAST({Parameter(value)} AS DOUBLE)";
    }
}
