using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using ImagingCommons.Data.Schema;

namespace ImagingCommons.Data.Query;

/// <summary>Renders DuckDB values the way the original API's BigQuery results looked on the wire.</summary>
public static class ValueFormat
{
    public const string GuidPrefix = "dg.4DFC/";

    /// <summary>BigQuery REST rendering: every scalar as a string, NULL as null, repeated columns as arrays of strings.</summary>
    public static JsonNode? BigQueryNode(object? value, ColumnType type)
    {
        if (value is null)
        {
            // BigQuery returns an empty array, never null, for a repeated column.
            return type == ColumnType.StringList ? new JsonArray() : null;
        }

        if (type == ColumnType.StringList || (value is IEnumerable && value is not string))
        {
            var array = new JsonArray();
            foreach (var item in (IEnumerable)value)
            {
                array.Add(item is null ? null : JsonValue.Create(BigQueryString(item, ColumnType.String)));
            }

            return array;
        }

        return JsonValue.Create(BigQueryString(value, type));
    }

    /// <summary>v2 manifest rendering: INTEGER columns as numbers, FLOAT and DATE as strings, NULL as null.</summary>
    public static JsonNode? ManifestNode(object? value, ColumnType type, OutputRole role)
    {
        if (value is null)
        {
            return null;
        }

        if (role == OutputRole.Aggregate || type == ColumnType.Integer)
        {
            return value is System.Numerics.BigInteger big
                ? JsonValue.Create((long)big)
                : JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }

        return BigQueryNode(value, type);
    }

    /// <summary>v1 manifest rendering: strings, with crdc UUIDs as "dg.4DFC/" GUIDs.</summary>
    public static JsonNode? V1ManifestNode(object? value, OutputRole role)
    {
        if (value is null)
        {
            return null;
        }

        var text = BigQueryString(value, ColumnType.String);
        return JsonValue.Create(role == OutputRole.Guid ? GuidPrefix + text : text);
    }

    public static string BigQueryString(object value, ColumnType type) => value switch
    {
        string s => s,
        double d => FloatString(d),
        float f => FloatString(f),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt when type == ColumnType.Date => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>BigQuery renders FLOAT64 with the shortest round-trip digits and keeps a ".0" on integral values.</summary>
    public static string FloatString(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        if (d == Math.Floor(d) && Math.Abs(d) < 1e15)
        {
            return d.ToString("0.0", CultureInfo.InvariantCulture);
        }

        return d.ToString("R", CultureInfo.InvariantCulture);
    }
}
