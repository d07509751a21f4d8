using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>How one result column is written: which JSON type its values take on the wire.</summary>
public enum ValueStyle
{
    /// <summary>Every value as a string (BigQuery's REST rendering), null as null; a list value as an array of strings.</summary>
    Text,

    /// <summary>A DATE column: as <see cref="Text"/>, with date-time values written as yyyy-MM-dd.</summary>
    Date,

    /// <summary>A repeated column: an array of strings; null as an empty array (BigQuery never returned null for one).</summary>
    TextList,

    /// <summary>A JSON integer (INTEGER columns of v2 manifests, counts, group_size), null as null.</summary>
    Integer,

    /// <summary>A v1 crdc GUID: <c>"dg.4DFC/" + value</c>, null as null.</summary>
    Guid,
}

/// <summary>A result column: its output key and how its values are written.</summary>
/// <param name="Name">The key of the column in each row object.</param>
/// <param name="Style">How its values are written.</param>
public sealed record ResultColumn(string Name, ValueStyle Style = ValueStyle.Text);

/// <summary>One row of <see cref="ResultRows"/>: values by column name or position.</summary>
public readonly struct ResultRow
{
    private readonly ResultRows _rows;
    private readonly object?[] _values;

    internal ResultRow(ResultRows rows, object?[] values)
    {
        _rows = rows;
        _values = values;
    }

    /// <summary>The columns of the row, in order.</summary>
    public IReadOnlyList<ResultColumn> Columns => _rows.Columns;

    /// <summary>The value at a column position (as read: string, long, double, string list, or null).</summary>
    public object? this[int index] => index < _values.Length ? _values[index] : null;

    /// <summary>The value of a column, or null when the row has no such column.</summary>
    public object? this[string name] => _rows.IndexOf(name) is var i and >= 0 ? this[i] : null;

    /// <summary>The value as text (numbers in invariant digits), or null.</summary>
    public string? GetString(string name) => this[name] switch
    {
        null => null,
        string s => s,
        var other when WireValues.IsList(other) => throw new InvalidOperationException($"Column {name} holds a list."),
        var other => WireValues.Text(other),
    };

    /// <summary>The value as an integer (a JSON integer, or a string of digits), or null.</summary>
    public long? GetInt64(string name) => this[name] switch
    {
        null => null,
        long l => l,
        int i => i,
        BigInteger big => (long)big,
        string s => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
        var other => Convert.ToInt64(other, CultureInfo.InvariantCulture),
    };

    /// <summary>The value of a repeated column, or null.</summary>
    public IReadOnlyList<string?>? GetList(string name) => this[name] switch
    {
        null => null,
        IReadOnlyList<string?> list => list,
        IEnumerable items and not string => [.. items.Cast<object?>().Select(o => o is null ? null : WireValues.Text(o))],
        _ => throw new InvalidOperationException($"Column {name} holds a scalar."),
    };
}

/// <summary>
/// The rows of a manifest, query or metadata listing: an array of objects whose keys are the requested fields.
/// Written column by column straight from the engine's values; read back with the JSON types the wire carries.
/// </summary>
[JsonConverter(typeof(ResultRowsConverter))]
public sealed class ResultRows : IReadOnlyList<ResultRow>
{
    private readonly List<ResultColumn> _columns;
    private readonly IReadOnlyList<object?[]> _values;

    /// <summary>Rows of <paramref name="values"/> (one array per row, aligned with <paramref name="columns"/>).</summary>
    public ResultRows(IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> values)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        _columns = [.. columns];
        _values = values;
    }

    /// <summary>No rows.</summary>
    public static ResultRows Empty { get; } = new([], []);

    /// <summary>The columns, in output order.</summary>
    public IReadOnlyList<ResultColumn> Columns => _columns;

    /// <summary>The raw values, one array per row.</summary>
    public IReadOnlyList<object?[]> Values => _values;

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public ResultRow this[int index] => new(this, _values[index]);

    /// <summary>The position of a column, or -1.</summary>
    public int IndexOf(string name) => _columns.FindIndex(c => c.Name == name);

    /// <inheritdoc/>
    public IEnumerator<ResultRow> GetEnumerator()
    {
        for (var i = 0; i < _values.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Writes <see cref="ResultRows"/> with a <see cref="Utf8JsonWriter"/> (no JSON tree per row) and reads it back.</summary>
public sealed class ResultRowsConverter : JsonConverter<ResultRows>
{
    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, ResultRows value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var columns = value.Columns;
        writer.WriteStartArray();
        foreach (var row in value.Values)
        {
            writer.WriteStartObject();
            for (var i = 0; i < columns.Count; i++)
            {
                writer.WritePropertyName(columns[i].Name);
                WriteValue(writer, i < row.Length ? row[i] : null, columns[i].Style);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, ValueStyle style)
    {
        if (value is null)
        {
            if (style == ValueStyle.TextList)
            {
                writer.WriteStartArray();
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteNullValue();
            }

            return;
        }

        if (style == ValueStyle.TextList || WireValues.IsList(value))
        {
            writer.WriteStartArray();
            foreach (var item in (IEnumerable)value)
            {
                if (item is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(WireValues.Text(item));
                }
            }

            writer.WriteEndArray();
            return;
        }

        switch (style)
        {
            case ValueStyle.Integer:
                writer.WriteNumberValue(value switch
                {
                    long l => l,
                    BigInteger big => (long)big,
                    _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
                });
                break;
            case ValueStyle.Guid:
                writer.WriteStringValue(WireValues.GuidPrefix + WireValues.Text(value));
                break;
            default:
                writer.WriteStringValue(WireValues.Text(value, style == ValueStyle.Date));
                break;
        }
    }

    /// <summary>
    /// Reads rows as the wire has them: strings, integers (long), other numbers (double), arrays of strings, null. The
    /// columns are the keys in order of first appearance.
    /// </summary>
    public override ResultRows Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Result rows are a JSON array of objects.");
        }

        var columns = new List<ResultColumn>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<object?[]>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("A result row is a JSON object.");
            }

            var values = new Dictionary<int, object?>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                var (value, style) = ReadValue(ref reader);
                if (!index.TryGetValue(name, out var position))
                {
                    position = columns.Count;
                    index[name] = position;
                    columns.Add(new ResultColumn(name, style));
                }
                else if (value is not null && columns[position].Style == ValueStyle.Text && style != ValueStyle.Text)
                {
                    columns[position] = columns[position] with { Style = style };
                }

                values[position] = value;
            }

            var row = new object?[columns.Count];
            foreach (var (position, value) in values)
            {
                row[position] = value;
            }

            rows.Add(row);
        }

        return new ResultRows(columns, rows);
    }

    private static (object? Value, ValueStyle Style) ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return (null, ValueStyle.Text);
            case JsonTokenType.String:
                return (reader.GetString(), ValueStyle.Text);
            case JsonTokenType.Number:
                // Typed as object: a conditional of (long, …) and (double, …) would turn every integer into a double.
                return reader.TryGetInt64(out var l) ? ((object?)l, ValueStyle.Integer) : ((object?)reader.GetDouble(), ValueStyle.Text);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return (reader.GetBoolean() ? "true" : "false", ValueStyle.Text);
            case JsonTokenType.StartArray:
                var list = new List<string?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(reader.TokenType switch
                    {
                        JsonTokenType.Null => null,
                        JsonTokenType.String => reader.GetString(),
                        _ => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    });
                }

                return (list, ValueStyle.TextList);
            default:
                throw new JsonException($"Unexpected {reader.TokenType} in a result row.");
        }
    }
}
