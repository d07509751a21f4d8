using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCommons.Contracts;

/// <summary>
/// One value of a filter: a string or a number. A number keeps the spelling it was sent with (<c>1.0</c> stays
/// <c>1.0</c>), because the API echoes filters as sent.
/// </summary>
[JsonConverter(typeof(FilterValueConverter))]
public readonly record struct FilterValue
{
    private FilterValue(string text, bool isNumber)
    {
        Text = text;
        IsNumber = isNumber;
    }

    /// <summary>The string, or the number's JSON spelling.</summary>
    public string Text { get; }

    /// <summary>Whether the value is a JSON number.</summary>
    public bool IsNumber { get; }

    /// <summary>A string value.</summary>
    public static FilterValue String(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), false);

    /// <summary>A number given by its JSON spelling (as received); it must be a valid JSON number.</summary>
    public static FilterValue Number(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.Number || reader.Read())
        {
            throw new ArgumentException($"'{json}' is not a JSON number.", nameof(json));
        }

        return new(json, true);
    }

    /// <summary>A number.</summary>
    public static FilterValue Number(double value) =>
        double.IsFinite(value) ? new(value.ToString("R", CultureInfo.InvariantCulture), true) : throw new ArgumentOutOfRangeException(nameof(value), value, "A filter value must be finite.");

    /// <summary>A number.</summary>
    public static FilterValue Number(long value) => new(value.ToString(CultureInfo.InvariantCulture), true);

    /// <summary>The number's value; throws for a string.</summary>
    public double AsDouble() => IsNumber ? double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture) : throw new InvalidOperationException("The value is a string.");

    /// <inheritdoc cref="String(string)"/>
    public static implicit operator FilterValue(string text) => String(text);

    /// <inheritdoc cref="Number(long)"/>
    public static implicit operator FilterValue(long value) => Number(value);

    /// <inheritdoc cref="Number(long)"/>
    public static implicit operator FilterValue(int value) => Number(value);

    /// <inheritdoc cref="Number(double)"/>
    public static implicit operator FilterValue(double value) => Number(value);

    /// <summary>The value as JSON text.</summary>
    public override string ToString() => IsNumber ? Text : JsonSerializer.Serialize(Text, ContractsJsonContext.Default.String);
}

/// <summary>Reads and writes a <see cref="FilterValue"/> as a JSON string or number (spelling kept).</summary>
public sealed class FilterValueConverter : JsonConverter<FilterValue>
{
    /// <inheritdoc/>
    public override FilterValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => FilterValue.String(reader.GetString()!),
        JsonTokenType.Number => FilterValue.Number(System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan)),
        _ => throw new JsonException("A filter value is a string or a number."),
    };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, FilterValue value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.IsNumber)
        {
            writer.WriteRawValue(value.Text, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
