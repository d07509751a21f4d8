using System.Collections;
using System.Globalization;

namespace ImagingCommons.Contracts;

/// <summary>How the original API (BigQuery's REST results) spelled values on the wire.</summary>
public static class WireValues
{
    /// <summary>The prefix of a v1 crdc GUID (<c>dg.4DFC/&lt;uuid&gt;</c>).</summary>
    public const string GuidPrefix = "dg.4DFC/";

    /// <summary>
    /// A scalar as BigQuery's REST API wrote it: strings as they are, FLOAT64 with the shortest round-trip digits and a
    /// ".0" on integral values, DATE as yyyy-MM-dd, integers in invariant digits.
    /// </summary>
    /// <param name="value">The value (not null).</param>
    /// <param name="isDate">Whether the column is a DATE (a DateTime then renders as a date only).</param>
    public static string Text(object value, bool isDate = false) => value switch
    {
        string s => s,
        double d => FloatText(d),
        float f => FloatText(f),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt when isDate => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>FLOAT64 as BigQuery renders it: shortest round-trip digits, integral values with ".0".</summary>
    public static string FloatText(double d)
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

    /// <summary>Whether a value is a repeated (list) value rather than a scalar.</summary>
    public static bool IsList(object? value) => value is IEnumerable and not string;
}
