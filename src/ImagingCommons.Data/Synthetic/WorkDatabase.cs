using System.Globalization;
using DuckDB.NET.Data;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Synthetic;

/// <summary>A table of the work database: its columns and a name → position map for building rows.</summary>
internal sealed class StagingTable
{
    private readonly Dictionary<string, int> _ordinals;

    public StagingTable(string name, IEnumerable<ColumnDef> columns)
    {
        Name = name;
        Columns = columns.ToList();
        _ordinals = Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IReadOnlyList<ColumnDef> Columns { get; }

    public StagingRow NewRow() => new(this, new object?[Columns.Count]);

    internal int Ordinal(string column) =>
        _ordinals.TryGetValue(column, out var i) ? i : throw new ArgumentException($"Table {Name} has no column '{column}'.", nameof(column));

    public string CreateSql() =>
        $"CREATE TABLE {Name} ({string.Join(", ", Columns.Select(c => $"{SqlText.Identifier(c.Name)} {c.DuckDbType}"))})";
}

/// <summary>One row being built; values are set by column name so that a misspelt column fails at once.</summary>
internal sealed class StagingRow(StagingTable table, object?[] values)
{
    public StagingTable Table { get; } = table;

    public object?[] Values { get; } = values;

    public object? this[string column]
    {
        get => Values[Table.Ordinal(column)];
        set => Values[Table.Ordinal(column)] = value;
    }
}

/// <summary>
/// The generator's scratch DuckDB file. C# appends one row per series (plus the TCGA and metadata rows); each
/// release is then produced by SQL that expands series into instances and COPYs every table to Parquet. Doing
/// the instance expansion in DuckDB keeps the ~48 M instance rows of scale 1 out of managed memory: only series
/// (about a million) pass through the appender.
/// </summary>
internal sealed class WorkDatabase : IDisposable
{
    /// <summary>dicom_pivot columns that vary per instance; the release SQL computes them.</summary>
    public static readonly string[] InstanceColumns =
        ["SOPInstanceUID", "crdc_instance_uuid", "gcs_url", "aws_url", "gcs_generation", "instance_size", "instance_hash"];

    /// <summary>
    /// Series-level dicom_pivot columns plus what the instance expansion and the second release need:
    /// uid_root (prefix of the series' SOP Instance UIDs), size_bytes (typical instance size; for a slide
    /// pyramid the base level's), gen_base (first GCS generation number), and the next release's changes.
    /// </summary>
    public static readonly StagingTable Series = new(
        "series",
        [
            new ColumnDef("ordinal", ColumnType.Integer),
            .. IdcSchema.DicomPivot.Columns.Where(c => !InstanceColumns.Contains(c.Name)),
            new ColumnDef("instance_count", ColumnType.Integer),
            new ColumnDef("uid_root", ColumnType.String),
            new ColumnDef("size_bytes", ColumnType.Integer),
            new ColumnDef("pyramid", ColumnType.Integer),
            new ColumnDef("gen_base", ColumnType.Integer),
            new ColumnDef("first_version", ColumnType.Integer),
            new ColumnDef("removed_in_next", ColumnType.Integer),
            new ColumnDef("next_crdc_series_uuid", ColumnType.String),
            new ColumnDef("next_crdc_study_uuid", ColumnType.String),
            new ColumnDef("next_gen_base", ColumnType.Integer),
        ]);

    public static readonly StagingTable Clinical = new("clinical", IdcSchema.Clinical.Columns);

    public static readonly StagingTable Biospecimen = new("biospecimen", IdcSchema.Biospecimen.Columns);

    public static readonly StagingTable CollectionMeta = new(
        "collection_meta",
        [
            .. IdcSchema.Collections.Columns.Where(c => c.Name is not ("subjects" or "image_types" or "source_doi" or "source_url")),
            new ColumnDef("first_version", ColumnType.Integer),
        ]);

    public static readonly StagingTable AnalysisMeta = new(
        "analysis_meta",
        IdcSchema.AnalysisResults.Columns.Where(c => c.Name is not ("subjects" or "cancer_types" or "tumor_locations" or "collections" or "modalities")));

    private static readonly StagingTable[] Tables = [Series, Clinical, Biospecimen, CollectionMeta, AnalysisMeta];

    private readonly DuckDBConnection _connection;
    private readonly Dictionary<string, DuckDBAppender> _appenders = new(StringComparer.Ordinal);

    public WorkDatabase(string folder)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "work.duckdb");
        _connection = new DuckDBConnection($"DataSource={file}");
        _connection.Open();

        // One thread and insertion order kept: the Parquet files then come out byte-identical for a given seed.
        // Sorts and the like spill into the work folder rather than growing memory.
        Execute("SET threads = 1");
        Execute("SET preserve_insertion_order = true");
        Execute("SET memory_limit = '2GB'");
        Execute($"SET temp_directory = {SqlText.Literal(Path.Combine(folder, "spill"))}");
        foreach (var table in Tables)
        {
            Execute(table.CreateSql());
        }
    }

    public void Append(StagingRow row)
    {
        if (!_appenders.TryGetValue(row.Table.Name, out var appender))
        {
            appender = _connection.CreateAppender(row.Table.Name);
            _appenders[row.Table.Name] = appender;
        }

        var target = appender.CreateRow();
        var columns = row.Table.Columns;
        for (var i = 0; i < columns.Count; i++)
        {
            AppendValue(target, columns[i].Type, row.Values[i]);
        }

        target.EndRow();
    }

    /// <summary>Flushes the appenders; call once everything is staged and before writing releases.</summary>
    public void CompleteStaging()
    {
        foreach (var appender in _appenders.Values)
        {
            appender.Dispose();
        }

        _appenders.Clear();
    }

    /// <summary>
    /// Writes every table of one release into the writer's staging folder and returns the row counts.
    /// <paramref name="baseVersion"/> is the first generated release: the later one applies the recorded
    /// removals and revisions (new crdc UUIDs, hence new instance UUIDs and URLs).
    /// </summary>
    public Dictionary<string, long> WriteRelease(Func<string, string> tablePath, int version, int baseVersion, CancellationToken cancellationToken)
    {
        var later = version > baseVersion;
        var filter = $"first_version <= {version}" + (later ? " AND removed_in_next = 0" : "");
        var replace = later
            ? " REPLACE (coalesce(next_crdc_series_uuid, crdc_series_uuid) AS crdc_series_uuid, coalesce(next_crdc_study_uuid, crdc_study_uuid) AS crdc_study_uuid, coalesce(next_gen_base, gen_base) AS gen_base)"
            : "";
        Execute($"CREATE OR REPLACE TEMP VIEW rel AS SELECT *{replace} FROM series WHERE {filter}");

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        cancellationToken.ThrowIfCancellationRequested();
        counts[IdcSchema.DicomPivotName] = Copy(PivotSql(), tablePath(IdcSchema.DicomPivotName));

        // TCGA rows exactly for the TCGA patients that have series in this release.
        foreach (var (schema, table) in new[] { (IdcSchema.Clinical, Clinical), (IdcSchema.Biospecimen, Biospecimen) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sql = $"SELECT {Projection(schema, c => "t." + SqlText.Identifier(c.Name))} FROM {table.Name} t " +
                "WHERE t.case_barcode IN (SELECT PatientID FROM rel WHERE starts_with(collection_id, 'tcga_')) " +
                "ORDER BY t.case_barcode" + (schema == IdcSchema.Biospecimen ? ", t.sample_barcode" : "");
            counts[schema.Name] = Copy(sql, tablePath(schema.Name));
        }

        cancellationToken.ThrowIfCancellationRequested();
        counts[IdcSchema.CollectionsName] = Copy(CollectionsSql(), tablePath(IdcSchema.CollectionsName));
        counts[IdcSchema.AnalysisResultsName] = Copy(AnalysisResultsSql(), tablePath(IdcSchema.AnalysisResultsName));
        return counts;
    }

    public void Dispose()
    {
        foreach (var appender in _appenders.Values)
        {
            appender.Dispose();
        }

        _connection.Dispose();
    }

    private static string PivotSql()
    {
        // Per-instance values come from md5 of the series identity and the instance number: deterministic,
        // independent of row order, and a revised series (new crdc_series_uuid) gets new instance UUIDs while
        // its SOP Instance UIDs (keyed on the unchanging SeriesInstanceUID) stay the same. The 128-bit md5
        // number is used as its two 64-bit halves: casting a UHUGEINT to text is ~100x slower in DuckDB.
        const string levels = "CASE WHEN instance_count >= 4 THEN instance_count - 2 ELSE instance_count END";
        var expressions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SOPInstanceUID"] = "uid_root || left(CAST(n_hi AS VARCHAR) || CAST(n_lo AS VARCHAR), least(38, 64 - length(uid_root)))",
            ["crdc_instance_uuid"] = "inst_uuid",
            ["gcs_url"] = "'gs://' || gcs_bucket || '/' || crdc_series_uuid || '/' || inst_uuid || '.dcm'",
            ["aws_url"] = "'s3://' || aws_bucket || '/' || crdc_series_uuid || '/' || inst_uuid || '.dcm'",
            ["gcs_generation"] = "CAST(gen_base + i * 1013 + CAST(n_lo % 997 AS BIGINT) AS VARCHAR)",
            // Generated instances have no file, so no MD5 (IDC's dicom_all has it for every real file).
            ["instance_hash"] = "CAST(NULL AS VARCHAR)",

            // A slide pyramid: each level a quarter of the one above, then a label and an overview image.
            ["instance_size"] = $"""
                CASE WHEN pyramid = 0 THEN CAST(size_bytes * (0.95 + CAST(n_lo % 1000 AS DOUBLE) / 10000.0) AS BIGINT)
                     WHEN i >= {levels} THEN CAST(800000 + n_lo % 2500000 AS BIGINT)
                     ELSE greatest(CAST(size_bytes / pow(4, i) * (0.95 + CAST(n_lo % 1000 AS DOUBLE) / 10000.0) AS BIGINT), 150000) END
                """,
            ["ImageType"] = $"""
                CASE WHEN pyramid = 0 THEN ImageType
                     WHEN i = 0 THEN ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE']
                     WHEN i < {levels} THEN ['DERIVED', 'PRIMARY', 'VOLUME', 'RESAMPLED']
                     WHEN i = {levels} THEN ['ORIGINAL', 'PRIMARY', 'LABEL', 'NONE']
                     ELSE ['ORIGINAL', 'PRIMARY', 'OVERVIEW', 'NONE'] END
                """,
        };
        const string uuid = "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || " +
            "substr('89ab', CAST(ascii(substr(h, 17, 1)) % 4 AS INTEGER) + 1, 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)";
        return $"""
            SELECT {Projection(IdcSchema.DicomPivot, c => expressions.GetValueOrDefault(c.Name, SqlText.Identifier(c.Name)))}
            FROM (
                SELECT *, {uuid} AS inst_uuid
                FROM (
                    SELECT *, md5(crdc_series_uuid || '/' || i) AS h, md5_number_upper(SeriesInstanceUID || '/' || i) AS n_hi, md5_number_lower(SeriesInstanceUID || '/' || i) AS n_lo
                    FROM (SELECT *, unnest(range(instance_count)) AS i FROM (SELECT * FROM rel ORDER BY ordinal))))
            """;
    }

    private static string CollectionsSql()
    {
        var expressions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["subjects"] = "a.subjects",
            ["image_types"] = "a.image_types",
            ["source_doi"] = "a.source_doi",
            ["source_url"] = "a.source_url",
        };
        return $"""
            SELECT {Projection(IdcSchema.Collections, c => expressions.GetValueOrDefault(c.Name, "m." + SqlText.Identifier(c.Name)))}
            FROM collection_meta m
            JOIN (SELECT collection_id, count(DISTINCT PatientID) AS subjects,
                         array_to_string(list_sort(list_distinct(list(Modality))), ', ') AS image_types,
                         array_to_string(list_sort(list_distinct(list(source_DOI) FILTER (WHERE analysis_results_id IS NULL))), ' ') AS source_doi,
                         array_to_string(list_transform(list_sort(list_distinct(list(source_DOI) FILTER (WHERE analysis_results_id IS NULL))), d -> 'https://doi.org/' || d), ' ') AS source_url
                  FROM rel GROUP BY collection_id) a USING (collection_id)
            ORDER BY m.collection_id
            """;
    }

    private static string AnalysisResultsSql()
    {
        const string splitJoin = "array_to_string(list_sort(list_distinct(flatten(list(string_split({0}, ', '))))), ', ')";
        var expressions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["subjects"] = "a.subjects",
            ["collections"] = "a.collections",
            ["modalities"] = "a.modalities",
            ["cancer_types"] = "a.cancer_types",
            ["tumor_locations"] = "a.tumor_locations",
        };
        return $"""
            SELECT {Projection(IdcSchema.AnalysisResults, c => expressions.GetValueOrDefault(c.Name, "m." + SqlText.Identifier(c.Name)))}
            FROM analysis_meta m
            JOIN (SELECT s.analysis_results_id AS analysis_result_id,
                         count(DISTINCT s.collection_id || '/' || s.PatientID) AS subjects,
                         array_to_string(list_sort(list_distinct(list(s.collection_id))), ', ') AS collections,
                         array_to_string(list_sort(list_distinct(list(s.Modality))), ', ') AS modalities,
                         {string.Format(CultureInfo.InvariantCulture, splitJoin, "c.cancer_types")} AS cancer_types,
                         {string.Format(CultureInfo.InvariantCulture, splitJoin, "c.tumor_locations")} AS tumor_locations
                  FROM rel s JOIN collection_meta c USING (collection_id)
                  WHERE s.analysis_results_id IS NOT NULL
                  GROUP BY s.analysis_results_id) a USING (analysis_result_id)
            ORDER BY m.analysis_result_id
            """;
    }

    /// <summary>The table's columns in schema order, each cast to its schema type.</summary>
    private static string Projection(TableSchema schema, Func<ColumnDef, string> expression) =>
        string.Join(",\n       ", schema.Columns.Select(c => $"CAST({expression(c)} AS {c.DuckDbType}) AS {SqlText.Identifier(c.Name)}"));

    private long Copy(string selectSql, string path)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"COPY ({selectSql}) TO {SqlText.Literal(path)} (FORMAT parquet, COMPRESSION zstd)";
        return command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void AppendValue(IDuckDBAppenderRow row, ColumnType type, object? value)
    {
        if (value is null)
        {
            row.AppendNullValue();
            return;
        }

        switch (type)
        {
            case ColumnType.String:
                row.AppendValue((string)value);
                break;
            case ColumnType.Integer:
                row.AppendValue((long?)Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Float:
                row.AppendValue((double?)Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Date:
                row.AppendValue((DateOnly?)(DateOnly)value);
                break;
            case ColumnType.StringList:
                row.AppendValue((IEnumerable<string>)value);
                break;
            default:
                throw new InvalidOperationException(type.ToString());
        }
    }
}
