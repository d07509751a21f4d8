using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace ImagingCommons.Server.Requests;

/// <summary>
/// A cohort id as the client wrote it: any integer, echoed back as sent (2^64 and beyond included); only ids in the
/// store's range can name a cohort.
/// </summary>
internal readonly record struct CohortId(string Digits)
{
    /// <summary>The id as an integer with all its digits (for the echo of DELETE results).</summary>
    public BigInteger Value => BigInteger.Parse(Digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The store id, or null when the number cannot be one (≤ 0 or beyond 64 bits).</summary>
    public long? StoreId => long.TryParse(Digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    public override string ToString() => Digits;

    /// <summary>A path segment: an unsigned integer of any size (leading zeros dropped).</summary>
    public static bool TryParsePath(string? text, out CohortId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        var digits = text.TrimStart('0');
        id = new CohortId(digits.Length == 0 ? "0" : digits);
        return true;
    }

    /// <summary>An item of a JSON list: an integer literal (no fraction or exponent), of any size.</summary>
    public static bool TryParseJson(JsonElement item, out CohortId id)
    {
        id = default;
        if (item.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var raw = item.GetRawText();
        var negative = raw.StartsWith('-');
        var unsigned = negative ? raw[1..] : raw;
        if (unsigned.Length == 0 || !unsigned.All(char.IsAsciiDigit))
        {
            return false;
        }

        id = new CohortId(negative && unsigned.Trim('0').Length > 0 ? raw : unsigned);
        return true;
    }
}
