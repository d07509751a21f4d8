using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ImagingCommons.Data.Query;

/// <summary>
/// Renders JSON values as Python's repr does, because the original API's validation messages (jsonschema's)
/// quote the offending value that way and clients match on those texts.
/// </summary>
internal static class PythonRepr
{
    public static string Of(JsonElement value)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return builder.ToString();
    }

    public static string OfString(string value)
    {
        // Python prefers single quotes and switches to double quotes only when that avoids escaping.
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append(quote).ToString();
    }

    private static void Append(StringBuilder builder, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                builder.Append(OfString(value.GetString()!));
                break;
            case JsonValueKind.Number:
                builder.Append(Number(value));
                break;
            case JsonValueKind.True:
                builder.Append("True");
                break;
            case JsonValueKind.False:
                builder.Append("False");
                break;
            case JsonValueKind.Null:
                builder.Append("None");
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    Append(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.Object:
                builder.Append('{');
                var firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    if (!firstProperty)
                    {
                        builder.Append(", ");
                    }

                    firstProperty = false;
                    builder.Append(OfString(property.Name)).Append(": ");
                    Append(builder, property.Value);
                }

                builder.Append('}');
                break;
            default:
                builder.Append(value.GetRawText());
                break;
        }
    }

    private static string Number(JsonElement value)
    {
        var raw = value.GetRawText();
        // JSON integers stay integers in Python; anything with a fraction or exponent becomes a float.
        if (!raw.Contains('.', StringComparison.Ordinal) && !raw.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            return raw;
        }

        if (!value.TryGetDouble(out var d) || double.IsInfinity(d))
        {
            return "inf";
        }

        return FloatRepr(d);
    }

    /// <summary>Python's float repr: shortest round-trip digits, ".0" on integral values, exponent from 1e16.</summary>
    public static string FloatRepr(double d)
    {
        if (d == Math.Floor(d) && Math.Abs(d) < 1e16)
        {
            return d.ToString("0.0", CultureInfo.InvariantCulture);
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            var parts = text.Split('E');
            var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
            text = parts[0] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }

        return text;
    }
}
