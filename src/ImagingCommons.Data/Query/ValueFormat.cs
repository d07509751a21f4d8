using ImagingCommons.Contracts;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>How the engine's result columns and values are written on the wire (the rules live in the contracts).</summary>
public static class ValueFormat
{
    /// <summary>A scalar as BigQuery's REST API wrote it (a DATE column's date-times as dates).</summary>
    public static string BigQueryString(object value, ColumnType type) => WireValues.Text(value, type == ColumnType.Date);

    /// <summary>
    /// The wire style of a result column of a query kind (spec §6.6, §6.7, §7.8.7): v1 manifests write text with crdc
    /// UUIDs as GUIDs; v2 manifests write INTEGER columns, counts and group_size as numbers; everything else is
    /// BigQuery text (repeated columns as arrays, DATE as yyyy-MM-dd).
    /// </summary>
    public static ValueStyle Style(QueryKind kind, OutputColumn column) => kind switch
    {
        QueryKind.V1Manifest => column.Role == OutputRole.Guid ? ValueStyle.Guid : ValueStyle.Text,
        QueryKind.V2Manifest when column.Role == OutputRole.Aggregate || column.Type == ColumnType.Integer => ValueStyle.Integer,
        _ => column.Type switch
        {
            ColumnType.StringList => ValueStyle.TextList,
            ColumnType.Date => ValueStyle.Date,
            _ => ValueStyle.Text,
        },
    };
}
