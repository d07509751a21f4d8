using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Import;

/// <summary>
/// How one source column becomes its schema column: <see cref="Value"/> is the SQL for the typed value (NULL for a
/// NULL or blank source value, and also for a value that does not convert), <see cref="Invalid"/> the SQL condition
/// that holds exactly for the source values that do not convert (null when every value converts).
/// </summary>
internal sealed record ColumnConversion(string Value, string? Invalid, string Expected)
{
    private const string IntegerPattern = "'[+-]?[0-9]+'";
    private const string FloatPattern = @"'[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?'";
    private const string IsoDatePattern = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'";
    private const string DicomDatePattern = "'[0-9]{8}'";

    private static readonly HashSet<string> IntegerTypes = new(StringComparer.Ordinal)
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
    };

    private static readonly HashSet<string> FloatTypes = new(StringComparer.Ordinal) { "FLOAT", "DOUBLE" };

    /// <summary>What a valid value of the type looks like, for error messages.</summary>
    public static string Describe(ColumnType type) => type switch
    {
        ColumnType.String => "a string",
        ColumnType.Integer => "an integer (a whole number such as 42)",
        ColumnType.Float => "a number (such as 1.5 or 2.5e-3)",
        ColumnType.Date => "a date (yyyy-MM-dd, or yyyyMMdd as DICOM writes dates)",
        ColumnType.StringList => "a list of strings",
        _ => throw new InvalidOperationException(type.ToString()),
    };

    /// <param name="column">The schema column.</param>
    /// <param name="source">SQL naming the source value.</param>
    /// <param name="sourceType">DuckDB's type of the source ("VARCHAR" for every CSV column).</param>
    public static ColumnConversion For(ColumnDef column, string source, string sourceType)
    {
        var expected = Describe(column.Type);
        var target = column.DuckDbType;
        if (sourceType == "VARCHAR")
        {
            return FromText(column.Type, source, expected);
        }

        var kind = Classify(sourceType);
        var value = (column.Type, kind) switch
        {
            (ColumnType.String, SourceKind.Integer or SourceKind.Float or SourceKind.Decimal or SourceKind.Date
                or SourceKind.Timestamp or SourceKind.Boolean or SourceKind.Uuid) => $"CAST({source} AS VARCHAR)",
            (ColumnType.Integer, SourceKind.Integer) => $"TRY_CAST({source} AS BIGINT)",
            (ColumnType.Integer, SourceKind.Float or SourceKind.Decimal) =>
                $"CASE WHEN {source} = trunc({source}) THEN TRY_CAST({source} AS BIGINT) END",
            (ColumnType.Float, SourceKind.Integer or SourceKind.Float or SourceKind.Decimal) =>
                $"CASE WHEN isfinite(CAST({source} AS DOUBLE)) THEN CAST({source} AS DOUBLE) END",
            (ColumnType.Date, SourceKind.Date) => $"CASE WHEN year({source}) BETWEEN 1 AND 9999 THEN {source} END",
            (ColumnType.Date, SourceKind.Timestamp) =>
                $"CASE WHEN year({source}) BETWEEN 1 AND 9999 THEN CAST({source} AS DATE) END",
            (ColumnType.StringList, SourceKind.StringList) => source,
            (ColumnType.StringList, SourceKind.OtherList) => $"TRY_CAST({source} AS VARCHAR[])",
            _ => null,
        };

        return value is null
            ? new ColumnConversion($"CAST(NULL AS {target})", $"{source} IS NOT NULL", expected)
            : new ColumnConversion(value, $"{source} IS NOT NULL AND ({value}) IS NULL", expected);
    }

    /// <summary>Text (every CSV value; Parquet strings): parsed strictly by the schema type, never guessed.</summary>
    private static ColumnConversion FromText(ColumnType type, string source, string expected)
    {
        var text = $"trim({source})";
        var value = type switch
        {
            ColumnType.String => source,
            ColumnType.StringList => $"CASE WHEN {source} <> '' THEN string_split({source}, '\\') END",
            ColumnType.Integer => $"CASE WHEN regexp_full_match({text}, {IntegerPattern}) THEN TRY_CAST({text} AS BIGINT) END",
            ColumnType.Float =>
                $"CASE WHEN regexp_full_match({text}, {FloatPattern}) AND isfinite(TRY_CAST({text} AS DOUBLE)) "
                + $"THEN TRY_CAST({text} AS DOUBLE) END",
            ColumnType.Date =>
                $"CASE WHEN starts_with({text}, '0000') THEN NULL "
                + $"WHEN regexp_full_match({text}, {IsoDatePattern}) THEN TRY_CAST({text} AS DATE) "
                + $"WHEN regexp_full_match({text}, {DicomDatePattern}) THEN CAST(try_strptime({text}, '%Y%m%d') AS DATE) END",
            _ => throw new InvalidOperationException(type.ToString()),
        };

        var invalid = type is ColumnType.String or ColumnType.StringList
            ? null
            : $"{source} IS NOT NULL AND {text} <> '' AND ({value}) IS NULL";
        return new ColumnConversion(value, invalid, expected);
    }

    private static SourceKind Classify(string type)
    {
        if (IntegerTypes.Contains(type))
        {
            return SourceKind.Integer;
        }

        if (FloatTypes.Contains(type))
        {
            return SourceKind.Float;
        }

        if (type.StartsWith("DECIMAL", StringComparison.Ordinal))
        {
            return SourceKind.Decimal;
        }

        if (type == "DATE")
        {
            return SourceKind.Date;
        }

        if (type.StartsWith("TIMESTAMP", StringComparison.Ordinal) && !type.Contains("TIME ZONE", StringComparison.Ordinal))
        {
            return SourceKind.Timestamp;
        }

        return type switch
        {
            "BOOLEAN" => SourceKind.Boolean,
            "UUID" => SourceKind.Uuid,
            "VARCHAR[]" => SourceKind.StringList,
            _ when type.EndsWith("[]", StringComparison.Ordinal) && !type.StartsWith("STRUCT", StringComparison.Ordinal)
                && !type.StartsWith("MAP", StringComparison.Ordinal) => SourceKind.OtherList,
            _ => SourceKind.Other,
        };
    }

    private enum SourceKind
    {
        Integer,
        Float,
        Decimal,
        Date,
        Timestamp,
        Boolean,
        Uuid,
        StringList,
        OtherList,
        Other,
    }
}
