using System.Text;

namespace ImagingCommons.Dicom;

/// <summary>
/// Decodes the text values of a dataset per its Specific Character Set (0008,0005): the single-byte ISO 8859 sets,
/// JIS X 0201, TIS 620, UTF-8, GB18030 and GBK, and the ISO 2022 code extensions with their escape sequences
/// (JIS X 0208 and 0212, KS X 1001, GB 2312 and the ISO 8859 upper halves), per PS3.5 §6.1 and Annex H–K.
/// Bytes that a set cannot map become U+FFFD; nothing throws.
/// </summary>
public sealed class DicomCharacterSet
{
    /// <summary>The default repertoire. Bytes above 0x7F are not allowed there; they are read as ISO 8859-1, as most readers do.</summary>
    public static readonly DicomCharacterSet Default = new([], Single(CodeSet.Latin1Upper), isIso2022: false, CodeSet.Latin1Upper, "");

    private static readonly Lazy<ushort[]> JisX0212 = new(LoadJisX0212);

    private readonly CodeSet _initialG1;
    private readonly Encoding? _whole;

    static DicomCharacterSet()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    private DicomCharacterSet(IReadOnlyList<string> terms, Encoding? whole, bool isIso2022, CodeSet initialG1, string? unknown)
    {
        Terms = terms;
        _whole = whole;
        IsIso2022 = isIso2022;
        _initialG1 = initialG1;
        UnknownTerm = string.IsNullOrEmpty(unknown) ? null : unknown;
    }

    /// <summary>The defined terms as the dataset gives them.</summary>
    public IReadOnlyList<string> Terms { get; }

    public bool IsIso2022 { get; }

    /// <summary>A term this reader does not know (its text is then read as ISO 8859-1), or null.</summary>
    public string? UnknownTerm { get; }

    private enum CodeSet
    {
        None,
        Ascii,
        JisRoman,
        JisX0208,
        JisX0212,
        Katakana,
        Latin1Upper,
        Latin2Upper,
        Latin3Upper,
        Latin4Upper,
        CyrillicUpper,
        ArabicUpper,
        GreekUpper,
        HebrewUpper,
        Latin5Upper,
        Latin9Upper,
        ThaiUpper,
        KsX1001,
        Gb2312,
    }

    /// <summary>The character set named by the values of (0008,0005); an empty list is the default repertoire.</summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var cleaned = terms.Select(t => t.Trim()).ToList();
        if (cleaned.Count == 0 || (cleaned.Count == 1 && cleaned[0].Length == 0))
        {
            return Default;
        }

        var first = cleaned[0];
        if (cleaned.Count == 1 && !first.StartsWith("ISO 2022", StringComparison.Ordinal))
        {
            var whole = first switch
            {
                "ISO_IR 6" => Single(CodeSet.Latin1Upper),
                "ISO_IR 192" => new UTF8Encoding(false, false),
                "GB18030" => Encoding.GetEncoding(54936),
                "GBK" => Encoding.GetEncoding(936),
                "ISO_IR 13" => null,
                _ => SingleByteTerm(first) is { } set ? Single(set) : null,
            };
            if (whole is null && first == "ISO_IR 13")
            {
                return new DicomCharacterSet(cleaned, null, isIso2022: false, CodeSet.Katakana, null);
            }

            return whole is null
                ? new DicomCharacterSet(cleaned, Single(CodeSet.Latin1Upper), false, CodeSet.Latin1Upper, first)
                : new DicomCharacterSet(cleaned, whole, false, CodeSet.Latin1Upper, null);
        }

        // Code extensions: value 1 designates the initial sets (an empty value 1 is ISO 2022 IR 6), the others may be
        // invoked by escape sequences. A non-2022 term among several is a broken header; read it as its 2022 twin.
        var initial = first.Length == 0 ? "ISO 2022 IR 6" : first.Replace("ISO_IR", "ISO 2022 IR", StringComparison.Ordinal);
        var initialG1 = initial switch
        {
            "ISO 2022 IR 6" => CodeSet.None,
            "ISO 2022 IR 13" => CodeSet.Katakana,
            _ => SingleByteTerm(initial.Replace("ISO 2022 IR", "ISO_IR", StringComparison.Ordinal)) ?? CodeSet.None,
        };
        string? unknown = null;
        foreach (var term in cleaned.Where(t => t.Length > 0))
        {
            var normal = term.Replace("ISO_IR", "ISO 2022 IR", StringComparison.Ordinal);
            if (normal is not ("ISO 2022 IR 6" or "ISO 2022 IR 13" or "ISO 2022 IR 87" or "ISO 2022 IR 159" or "ISO 2022 IR 149" or "ISO 2022 IR 58")
                && SingleByteTerm(normal.Replace("ISO 2022 IR", "ISO_IR", StringComparison.Ordinal)) is null)
            {
                unknown ??= term;
            }
        }

        return new DicomCharacterSet(cleaned, null, isIso2022: true, initialG1, unknown);
    }

    /// <summary>Decodes a value's bytes (padding included; the caller trims).</summary>
    /// <param name="bytes">The raw value.</param>
    /// <param name="vr">Its VR: PN resets the code sets at '^' and '=' too.</param>
    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        if (bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0 && bytes.IndexOf((byte)0x1B) < 0)
        {
            return Encoding.ASCII.GetString(bytes);
        }

        if (!vr.IsCharacterSetText)
        {
            // Only SH, LO, ST, LT, UT, PN and UC use the extended repertoire; other strings are the default one.
            return Default._whole!.GetString(bytes);
        }

        if (_whole is not null)
        {
            return _whole.GetString(bytes);
        }

        return DecodeIso2022(bytes, vr == DicomVR.PN);
    }

    private string DecodeIso2022(ReadOnlySpan<byte> bytes, bool personName)
    {
        // ISO_IR 13's G0 is JIS X 0201 Roman, which DICOM reads as ASCII (its 0x5C is the value delimiter).
        const CodeSet initialG0 = CodeSet.Ascii;
        var g0 = initialG0;
        var g1 = _initialG1;
        var text = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == 0x1B && IsIso2022)
            {
                var (set, isG0, consumed) = Escape(bytes[(i + 1)..]);
                if (consumed == 0)
                {
                    text.Append('\uFFFD');
                    i++;
                    continue;
                }

                if (isG0)
                {
                    g0 = set;
                }
                else
                {
                    g1 = set;
                }

                i += 1 + consumed;
                continue;
            }

            if (b < 0x80)
            {
                if (g0 is CodeSet.JisX0208 or CodeSet.JisX0212 && b >= 0x21 && b <= 0x7E)
                {
                    if (i + 1 < bytes.Length && bytes[i + 1] >= 0x21 && bytes[i + 1] <= 0x7E)
                    {
                        text.Append(g0 == CodeSet.JisX0208 ? DecodeJisX0208(b, bytes[i + 1]) : DecodeJisX0212(b, bytes[i + 1]));
                        i += 2;
                    }
                    else
                    {
                        text.Append('\uFFFD');
                        i++;
                    }

                    continue;
                }

                var c = g0 == CodeSet.JisRoman ? JisRoman(b) : (char)b;
                text.Append(c);
                i++;
                if (b is 0x0D or 0x0A or 0x09 or 0x0C or (byte)'\\' || (personName && b is (byte)'^' or (byte)'='))
                {
                    // PS3.5 §6.1.2.5.3: each value, line (and name component) starts in the initial code sets.
                    g0 = initialG0;
                    g1 = _initialG1;
                }

                continue;
            }

            switch (g1)
            {
                case CodeSet.KsX1001 or CodeSet.Gb2312:
                    if (i + 1 < bytes.Length && bytes[i + 1] >= 0xA1)
                    {
                        text.Append(Encoding.GetEncoding(g1 == CodeSet.KsX1001 ? 51949 : 936).GetString(bytes.Slice(i, 2)));
                        i += 2;
                    }
                    else
                    {
                        text.Append('\uFFFD');
                        i++;
                    }

                    break;
                case CodeSet.Katakana:
                    text.Append(b is >= 0xA1 and <= 0xDF ? (char)(0xFF61 + (b - 0xA1)) : '\uFFFD');
                    i++;
                    break;
                case CodeSet.None:
                    text.Append('\uFFFD');
                    i++;
                    break;
                default:
                    text.Append(Single(g1).GetString(bytes.Slice(i, 1)));
                    i++;
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>The code set an escape sequence (after ESC) designates, whether it goes to G0, and its length.</summary>
    private static (CodeSet Set, bool IsG0, int Consumed) Escape(ReadOnlySpan<byte> rest)
    {
        static bool Is(ReadOnlySpan<byte> rest, string pattern) => rest.Length >= pattern.Length && rest.StartsWith(Encoding.ASCII.GetBytes(pattern));

        if (Is(rest, "(B"))
        {
            return (CodeSet.Ascii, true, 2);
        }

        if (Is(rest, "(J"))
        {
            return (CodeSet.JisRoman, true, 2);
        }

        if (Is(rest, "$B") || Is(rest, "$@"))
        {
            return (CodeSet.JisX0208, true, 2);
        }

        if (Is(rest, "$(D"))
        {
            return (CodeSet.JisX0212, true, 3);
        }

        if (Is(rest, ")I"))
        {
            return (CodeSet.Katakana, false, 2);
        }

        if (Is(rest, "$)C"))
        {
            return (CodeSet.KsX1001, false, 3);
        }

        if (Is(rest, "$)A"))
        {
            return (CodeSet.Gb2312, false, 3);
        }

        if (rest.Length >= 2 && rest[0] == (byte)'-')
        {
            var set = (char)rest[1] switch
            {
                'A' => CodeSet.Latin1Upper,
                'B' => CodeSet.Latin2Upper,
                'C' => CodeSet.Latin3Upper,
                'D' => CodeSet.Latin4Upper,
                'L' => CodeSet.CyrillicUpper,
                'G' => CodeSet.ArabicUpper,
                'F' => CodeSet.GreekUpper,
                'H' => CodeSet.HebrewUpper,
                'M' => CodeSet.Latin5Upper,
                'b' => CodeSet.Latin9Upper,
                'T' => CodeSet.ThaiUpper,
                _ => CodeSet.None,
            };
            return set == CodeSet.None ? (CodeSet.None, false, 0) : (set, false, 2);
        }

        return (CodeSet.None, false, 0);
    }

    private static CodeSet? SingleByteTerm(string term) => term switch
    {
        "ISO_IR 100" => CodeSet.Latin1Upper,
        "ISO_IR 101" => CodeSet.Latin2Upper,
        "ISO_IR 109" => CodeSet.Latin3Upper,
        "ISO_IR 110" => CodeSet.Latin4Upper,
        "ISO_IR 144" => CodeSet.CyrillicUpper,
        "ISO_IR 127" => CodeSet.ArabicUpper,
        "ISO_IR 126" => CodeSet.GreekUpper,
        "ISO_IR 138" => CodeSet.HebrewUpper,
        "ISO_IR 148" => CodeSet.Latin5Upper,
        "ISO_IR 203" => CodeSet.Latin9Upper,
        "ISO_IR 166" => CodeSet.ThaiUpper,
        _ => null,
    };

    private static Encoding Single(CodeSet set) => Encoding.GetEncoding(set switch
    {
        CodeSet.Latin1Upper => 28591,
        CodeSet.Latin2Upper => 28592,
        CodeSet.Latin3Upper => 28593,
        CodeSet.Latin4Upper => 28594,
        CodeSet.CyrillicUpper => 28595,
        CodeSet.ArabicUpper => 28596,
        CodeSet.GreekUpper => 28597,
        CodeSet.HebrewUpper => 28598,
        CodeSet.Latin5Upper => 28599,
        CodeSet.Latin9Upper => 28605,
        CodeSet.ThaiUpper => 874,
        _ => throw new InvalidOperationException(set.ToString()),
    });

    /// <summary>JIS X 0201 Roman: ASCII but for the yen sign and the overline.</summary>
    private static char JisRoman(byte b) => b switch
    {
        0x5C => '\u00A5',
        0x7E => '\u203E',
        _ => (char)b,
    };

    private static string DecodeJisX0208(byte first, byte second)
    {
        // EUC-JP carries JIS X 0208 as the same two bytes with the high bit set.
        Span<byte> euc = [(byte)(first | 0x80), (byte)(second | 0x80)];
        return Encoding.GetEncoding(51932).GetString(euc);
    }

    private static char DecodeJisX0212(byte first, byte second)
    {
        var code = JisX0212.Value[((first - 0x21) * 94) + (second - 0x21)];
        return code == 0 ? '\uFFFD' : (char)code;
    }

    private static ushort[] LoadJisX0212()
    {
        using var stream = typeof(DicomCharacterSet).Assembly.GetManifestResourceStream("dicom/jisx0212.bin")
            ?? throw new InvalidOperationException("The embedded JIS X 0212 table is missing.");
        var bytes = new byte[94 * 94 * 2];
        stream.ReadExactly(bytes);
        var table = new ushort[94 * 94];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (ushort)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8));
        }

        return table;
    }
}
