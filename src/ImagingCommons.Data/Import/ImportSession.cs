using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Import;

/// <summary>The format of an import file.</summary>
internal enum SourceFormat
{
    Csv,
    Parquet,
}

/// <summary>One table's file in the import folder.</summary>
internal sealed record TableSource(TableSchema Table, string Path, SourceFormat Format);

/// <summary>
/// One DuckDB (in-memory, spilling to a work folder) that reads the import files, checks them and writes the
/// release's Parquet tables. Every failure about the input becomes an <see cref="ImportException"/>.
/// </summary>
internal sealed partial class ImportSession : IDisposable
{
    /// <summary>Columns whose values must be unique in a table (beyond the non-empty key columns).</summary>
    private static readonly Dictionary<string, string> UniqueColumns = new(StringComparer.Ordinal)
    {
        [IdcSchema.DicomPivotName] = "SOPInstanceUID",
        [IdcSchema.ClinicalName] = "case_barcode",
        [IdcSchema.CollectionsName] = "collection_id",
        [IdcSchema.AnalysisResultsName] = "analysis_result_id",
    };

    private const string RawTable = "import_raw";
    private const int MaxShownValueLength = 80;

    private readonly DuckDBConnection _connection;
    private readonly string _workFolder;
    private readonly Action<string> _warn;
    private readonly CancellationToken _cancellationToken;

    private ImportSession(DuckDBConnection connection, string workFolder, Action<string> warn, CancellationToken cancellationToken)
    {
        _connection = connection;
        _workFolder = workFolder;
        _warn = warn;
        _cancellationToken = cancellationToken;
    }

    /// <param name="workFolder">A folder of its own for DuckDB to spill to; deleted on dispose.</param>
    /// <param name="warn">Receives every warning.</param>
    /// <param name="cancellationToken">Interrupts a running query.</param>
    public static ImportSession Open(string workFolder, Action<string> warn, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workFolder);
        var connection = new DuckDBConnection("DataSource=:memory:");
        var session = new ImportSession(connection, workFolder, warn, cancellationToken);
        try
        {
            connection.Open();
            session.Execute($"SET temp_directory = {SqlText.Literal(workFolder)}");
            session.Execute("SET preserve_insertion_order = true");
            session.Execute("SET autoinstall_known_extensions = false");
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        if (Directory.Exists(_workFolder))
        {
            Directory.Delete(_workFolder, recursive: true);
        }
    }

    /// <summary>Reads, checks and writes one table; returns its row count.</summary>
    public long ImportTable(TableSource source, string outputPath)
    {
        var table = source.Table;
        var columns = source.Format == SourceFormat.Csv ? CsvColumns(source) : ParquetColumns(source);

        var known = new List<(SourceColumn Source, int SchemaIndex)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            var def = table.Resolve(column.Name);
            if (def is null)
            {
                if (seen.Add(column.Name))
                {
                    _warn($"{source.Path}: column '{column.Name}' is not a {table.Name} column; it is ignored.");
                }

                continue;
            }

            if (!seen.Add(def.Name))
            {
                var first = known.First(k => table.Columns[k.SchemaIndex].Name == def.Name).Source.Name;
                throw new ImportException(
                    first == column.Name
                        ? "the column appears more than once in the file."
                        : $"the column {def.Name} is given twice, as {first} and as {column.Name}.",
                    source.Path,
                    column: column.Name);
            }

            if (def.Name != column.Name)
            {
                _warn($"{source.Path}: column '{column.Name}' is read as {def.Name}.");
            }

            known.Add((column, IndexOf(table, def)));
        }

        foreach (var key in table.KeyColumns)
        {
            if (!known.Any(k => table.Columns[k.SchemaIndex].Name == key))
            {
                throw new ImportException(
                    $"the identifier column {key} is missing from the file (every {table.Name} file needs "
                    + $"{string.Join(", ", table.KeyColumns)}; names are case-sensitive).",
                    source.Path,
                    column: key);
            }
        }

        // On failure the whole session is disposed, so the raw table only needs dropping after success.
        LoadRaw(source, columns, known);
        var conversions = known.ToDictionary(
            k => k.SchemaIndex,
            k => ColumnConversion.For(table.Columns[k.SchemaIndex], RawName(k.SchemaIndex), k.Source.Type));
        var rowCount = Check(source, known, conversions);
        CheckUnique(source, known);
        Write(table, conversions, outputPath);
        Execute($"DROP TABLE {RawTable}");
        return rowCount;
    }

    /// <summary>original_collections_metadata from the written dicom_pivot: one row per collection.</summary>
    public long WriteDerivedCollections(string dicomPivotParquet, string outputPath)
    {
        var select = IdcSchema.Collections.Columns.Select(c => c.Name switch
        {
            "collection_id" => "\"collection_id\"",
            "collection_name" => "\"collection_id\" AS \"collection_name\"",
            "subjects" => "CAST(count(DISTINCT \"PatientID\") AS BIGINT) AS \"subjects\"",
            "image_types" => "nullif(array_to_string(list_sort(list_distinct(list(\"Modality\"))), ', '), '') AS \"image_types\"",
            _ => $"CAST(NULL AS {c.DuckDbType}) AS {SqlText.Identifier(c.Name)}",
        });
        return Copy(
            $"SELECT {string.Join(", ", select)} FROM read_parquet({SqlText.ReadPath(dicomPivotParquet)}) "
            + "GROUP BY \"collection_id\" ORDER BY \"collection_id\"",
            outputPath);
    }

    /// <summary>
    /// Fills what a given collections file leaves empty (no subjects or image_types column, or empty cells) from
    /// dicom_pivot, as the derived table would; what the file says wins.
    /// </summary>
    public void CompleteCollections(string collectionsParquet, string dicomPivotParquet)
    {
        var completed = collectionsParquet + ".completed";
        var columns = IdcSchema.Collections.Columns.Select(c => c.Name switch
        {
            "subjects" => "coalesce(c.\"subjects\", d.\"subjects\") AS \"subjects\"",
            "image_types" => "coalesce(c.\"image_types\", d.\"image_types\") AS \"image_types\"",
            _ => "c." + SqlText.Identifier(c.Name),
        });
        Copy(
            $"SELECT {string.Join(", ", columns)} FROM read_parquet({SqlText.ReadPath(collectionsParquet)}) AS c "
            + "LEFT JOIN (SELECT \"collection_id\", CAST(count(DISTINCT \"PatientID\") AS BIGINT) AS \"subjects\", "
            + "nullif(array_to_string(list_sort(list_distinct(list(\"Modality\"))), ', '), '') AS \"image_types\" "
            + $"FROM read_parquet({SqlText.ReadPath(dicomPivotParquet)}) GROUP BY \"collection_id\") AS d USING (\"collection_id\") "
            + "ORDER BY c.\"collection_id\"",
            completed);
        File.Move(completed, collectionsParquet, overwrite: true);
    }

    /// <summary>A table with the schema's columns and no rows.</summary>
    public long WriteEmpty(TableSchema table, string outputPath) =>
        Copy($"SELECT {string.Join(", ", table.Columns.Select(TypedNull))} LIMIT 0", outputPath);

    private static string TypedNull(ColumnDef column) => $"CAST(NULL AS {column.DuckDbType}) AS {SqlText.Identifier(column.Name)}";

    private static int IndexOf(TableSchema table, ColumnDef def)
    {
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (table.Columns[i].Name == def.Name)
            {
                return i;
            }
        }

        throw new InvalidOperationException(def.Name);
    }

    private static string RawName(int schemaIndex) => string.Create(CultureInfo.InvariantCulture, $"s{schemaIndex}");

    private static IReadOnlyList<SourceColumn> CsvColumns(TableSource source)
    {
        var header = CsvLayout.ReadHeader(source.Path)
            ?? throw new ImportException("the file is empty or its first line is blank; a CSV file starts with a header row naming its columns.", source.Path, line: 1);
        return header.Select((name, i) => new SourceColumn(name, "VARCHAR", i)).ToList();
    }

    private List<SourceColumn> ParquetColumns(TableSource source)
    {
        var columns = new List<SourceColumn>();
        try
        {
            using var command = Command($"DESCRIBE SELECT * FROM read_parquet({SqlText.ReadPath(source.Path)})");
            using var reader = Run(command, c => c.ExecuteReader());
            while (reader.Read())
            {
                columns.Add(new SourceColumn(reader.GetString(0), reader.GetString(1), columns.Count));
            }
        }
        catch (DuckDBException e) when (!_cancellationToken.IsCancellationRequested)
        {
            throw new ImportException($"not a readable Parquet file: {FirstLine(e.Message)}", source.Path, innerException: e);
        }

        return columns;
    }

    /// <summary>
    /// Loads the file into <see cref="RawTable"/>: known columns as s{schema index}, the others as u{n} (loaded so
    /// that the whole file is checked, e.g. for invalid UTF-8). The table's rowid is the 0-based data row.
    /// </summary>
    private void LoadRaw(TableSource source, IReadOnlyList<SourceColumn> columns, List<(SourceColumn Source, int SchemaIndex)> known)
    {
        var schemaIndexOf = known.ToDictionary(k => k.Source.Ordinal, k => k.SchemaIndex);
        string From(SourceColumn c) => source.Format == SourceFormat.Csv
            ? string.Create(CultureInfo.InvariantCulture, $"c{c.Ordinal}")
            : SqlText.Identifier(c.Name);
        var select = columns.Select(c => schemaIndexOf.TryGetValue(c.Ordinal, out var index)
            ? $"{From(c)} AS {RawName(index)}"
            : source.Format == SourceFormat.Csv ? string.Create(CultureInfo.InvariantCulture, $"{From(c)} AS u{c.Ordinal}") : null)
            .OfType<string>();

        string reader;
        if (source.Format == SourceFormat.Csv)
        {
            var types = string.Join(", ", columns.Select(c => string.Create(CultureInfo.InvariantCulture, $"'c{c.Ordinal}': 'VARCHAR'")));
            reader = $"read_csv({SqlText.ReadPath(source.Path)}, columns = {{{types}}}, header = true, auto_detect = false, "
                + "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
                + "allow_quoted_nulls = true, encoding = 'utf-8')";
        }
        else
        {
            reader = $"read_parquet({SqlText.ReadPath(source.Path)})";
        }

        try
        {
            Execute($"CREATE TABLE {RawTable} AS SELECT {string.Join(", ", select)} FROM {reader}");
        }
        catch (DuckDBException e) when (!_cancellationToken.IsCancellationRequested)
        {
            throw source.Format == SourceFormat.Csv
                ? CsvReadError(source.Path, e)
                : new ImportException($"not a readable Parquet file: {FirstLine(e.Message)}", source.Path, innerException: e);
        }
    }

    /// <summary>Empty keys and values of the wrong type; returns the row count.</summary>
    private long Check(TableSource source, List<(SourceColumn Source, int SchemaIndex)> known, Dictionary<int, ColumnConversion> conversions)
    {
        var table = source.Table;
        var checks = new List<(int SchemaIndex, string Condition, bool IsKey)>();
        foreach (var key in table.KeyColumns)
        {
            var index = known.First(k => table.Columns[k.SchemaIndex].Name == key).SchemaIndex;
            var raw = RawName(index);
            checks.Add((index, $"{raw} IS NULL OR trim(CAST({raw} AS VARCHAR)) = ''", true));
        }

        foreach (var (_, index) in known)
        {
            if (conversions[index].Invalid is { } invalid)
            {
                checks.Add((index, invalid, false));
            }
        }

        var aggregates = checks.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"min(rowid) FILTER (WHERE {c.Condition}) AS e{i}"));
        long rowCount;
        var firstBad = new long?[checks.Count];
        using (var command = Command($"SELECT count(*), {string.Join(", ", aggregates)} FROM {RawTable}"))
        using (var reader = Run(command, c => c.ExecuteReader()))
        {
            reader.Read();
            rowCount = reader.GetInt64(0);
            for (var i = 0; i < checks.Count; i++)
            {
                firstBad[i] = reader.IsDBNull(i + 1) ? null : reader.GetInt64(i + 1);
            }
        }

        var worst = -1;
        for (var i = 0; i < checks.Count; i++)
        {
            if (firstBad[i] is { } row && (worst < 0 || row < firstBad[worst]!.Value))
            {
                worst = i;
            }
        }

        if (worst < 0)
        {
            return rowCount;
        }

        var (schemaIndex, _, isKey) = checks[worst];
        var rowId = firstBad[worst]!.Value;
        var column = table.Columns[schemaIndex];
        if (isKey)
        {
            throw RowError(source, rowId, column.Name, $"the identifier {column.Name} is empty; every {table.Name} row needs one.");
        }

        var value = Scalar($"SELECT CAST({RawName(schemaIndex)} AS VARCHAR) FROM {RawTable} WHERE rowid = {rowId}") as string;
        var sourceType = known.First(k => k.SchemaIndex == schemaIndex).Source.Type;
        var typeNote = source.Format == SourceFormat.Parquet ? $" (Parquet column type {sourceType})" : "";
        throw RowError(source, rowId, column.Name, $"{Show(value)}{typeNote} is not {conversions[schemaIndex].Expected}.");
    }

    private void CheckUnique(TableSource source, List<(SourceColumn Source, int SchemaIndex)> known)
    {
        if (!UniqueColumns.TryGetValue(source.Table.Name, out var name))
        {
            return;
        }

        var raw = RawName(IndexOf(source.Table, source.Table[name]));
        // dicom_pivot has one row per instance, and per segment of a SEG (IDC's layout): the SegmentNumber, when the
        // file has one, is part of what must be unique.
        var segment = source.Table.Name == IdcSchema.DicomPivotName && source.Table.Find("SegmentNumber") is { } def
            && known.Any(k => k.SchemaIndex == IndexOf(source.Table, def))
            ? RawName(IndexOf(source.Table, def))
            : null;
        var key = segment is null ? raw : $"{raw}, {segment}";
        using var command = Command(
            $"SELECT CAST({raw} AS VARCHAR), min(rowid, 2) FROM {RawTable} GROUP BY {key} HAVING count(*) > 1 "
            + "ORDER BY min(rowid, 2)[2] LIMIT 1");
        using var reader = Run(command, c => c.ExecuteReader());
        if (!reader.Read())
        {
            return;
        }

        var value = reader.GetString(0);
        var rows = reader.GetFieldValue<List<long>>(1);
        var first = rows[0];
        var second = rows[1];
        var lines = source.Format == SourceFormat.Csv ? CsvLayout.LinesOfRows(source.Path, [first + 1, second + 1]) : [];
        var rule = segment is null ? $"{name} must be unique in {source.Table.Name}" : $"{name} must be unique in {source.Table.Name} (once per SegmentNumber)";
        throw new ImportException(
            $"{name} {Show(value)} is also in {Where(first + 1, lines)}; {rule}.",
            source.Path,
            second + 1,
            name,
            lines.TryGetValue(second + 1, out var line) ? line : null);
    }

    private void Write(TableSchema table, Dictionary<int, ColumnConversion> conversions, string outputPath)
    {
        var select = table.Columns.Select((c, i) => conversions.TryGetValue(i, out var conversion)
            ? $"{conversion.Value} AS {SqlText.Identifier(c.Name)}"
            : TypedNull(c));
        // dicom_pivot's key columns are the release layout's order (ReleaseLayout.InstanceOrder). An instance's rows (a
        // SEG's per segment, a measurement report's per measured segment) follow their SegmentNumber, then the input's
        // order: the same rows give the same file whatever order a writer produced them in.
        var ties = table.Name == IdcSchema.DicomPivotName ? new[] { "\"SegmentNumber\" ASC NULLS FIRST", "rowid" } : ["rowid"];
        var order = string.Join(", ", table.KeyColumns.Select(SqlText.Identifier).Concat(ties));
        Copy($"SELECT {string.Join(", ", select)} FROM {RawTable} ORDER BY {order}", outputPath,
            table.Name == IdcSchema.DicomPivotName ? ReleaseLayout.InstanceCopyOptions : DefaultCopyOptions);
    }

    private const string DefaultCopyOptions = "FORMAT parquet, COMPRESSION zstd";

    /// <summary>Writes a query's result as the release's Parquet file; returns the rows written.</summary>
    private long Copy(string query, string outputPath, string options = DefaultCopyOptions)
    {
        try
        {
            Execute($"COPY ({query}) TO {SqlText.Literal(outputPath)} ({options})");
            return (long)Scalar($"SELECT count(*) FROM read_parquet({SqlText.ReadPath(outputPath)})")!;
        }
        catch (DuckDBException e) when (!_cancellationToken.IsCancellationRequested)
        {
            throw new ImportException($"writing the release table failed: {FirstLine(e.Message)}", outputPath, innerException: e);
        }
    }

    private static ImportException RowError(TableSource source, long rowId, string column, string detail)
    {
        var row = rowId + 1;
        long? line = null;
        if (source.Format == SourceFormat.Csv && CsvLayout.LinesOfRows(source.Path, [row]).TryGetValue(row, out var found))
        {
            line = found;
        }

        return new ImportException(detail, source.Path, row, column, line);
    }

    private static string Where(long row, Dictionary<long, long> lines) =>
        lines.TryGetValue(row, out var line)
            ? string.Create(CultureInfo.InvariantCulture, $"row {row} (line {line})")
            : string.Create(CultureInfo.InvariantCulture, $"row {row}");

    /// <summary>Turns DuckDB's CSV error (which counts records, not lines) into file/row/line and a short reason.</summary>
    private static ImportException CsvReadError(string path, DuckDBException e)
    {
        var message = e.Message;
        var end = message.IndexOf("\nPossible", StringComparison.Ordinal);
        var reason = (end < 0 ? message : message[..end]).Split('\n')
            .Where(l => l.Trim().Length > 0)
            .LastOrDefault(l => !l.Contains("CSV Error on Line", StringComparison.Ordinal) && !l.StartsWith("Original Line:", StringComparison.Ordinal));
        var detail = reason?.Trim() ?? FirstLine(message);
        if (ColumnCount().Match(detail) is { Success: true } count)
        {
            detail = $"the row has {count.Groups[2].Value} fields but the header has {count.Groups[1].Value}.";
        }
        else if (detail.Contains("Invalid unicode", StringComparison.OrdinalIgnoreCase))
        {
            detail = "the text is not valid UTF-8 (CSV files must be UTF-8 encoded).";
        }
        else if (detail.Contains("unterminated quote", StringComparison.OrdinalIgnoreCase))
        {
            detail = "a quoted value is not closed properly (a quote inside a quoted value must be doubled: \"\").";
        }

        if (RecordNumber().Match(message) is { Success: true } match
            && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var record)
            && CsvLayout.FindRecord(path, record) is { } position)
        {
            return new ImportException(detail, path, position.DataRow > 0 ? position.DataRow : null, line: position.Line, innerException: e);
        }

        return new ImportException($"unreadable CSV: {detail}", path, innerException: e);
    }

    private static string FirstLine(string message)
    {
        var first = message.Split('\n')[0].Trim();
        foreach (var prefix in new[] { "Invalid Input Error: ", "IO Error: ", "Invalid Error: " })
        {
            if (first.StartsWith(prefix, StringComparison.Ordinal))
            {
                return first[prefix.Length..];
            }
        }

        return first;
    }

    private static string Show(string? value)
    {
        if (value is null)
        {
            return "NULL";
        }

        var shown = value.Length > MaxShownValueLength ? value[..MaxShownValueLength] + "…" : value;
        return "'" + shown.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        Run(command, c => c.ExecuteNonQuery());
    }

    private object? Scalar(string sql)
    {
        using var command = Command(sql);
        var result = Run(command, c => c.ExecuteScalar());
        return result is DBNull ? null : result;
    }

    private DuckDBCommand Command(string sql)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private T Run<T>(DuckDBCommand command, Func<DuckDBCommand, T> run) => DuckDb.Run(command, run, _cancellationToken);

    [GeneratedRegex(@"CSV Error on Line: (\d+)")]
    private static partial Regex RecordNumber();

    [GeneratedRegex(@"Expected Number of Columns: (\d+) Found: (\d+)")]
    private static partial Regex ColumnCount();

    private sealed record SourceColumn(string Name, string Type, int Ordinal);
}
