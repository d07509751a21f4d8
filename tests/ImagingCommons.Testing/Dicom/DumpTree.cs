using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ImagingCommons.Dicom;

namespace ImagingCommons.Testing.Dicom;

/// <summary>One element as dcmdump prints it: tag, VR, the printed value, the printed length, and items of a sequence.</summary>
public sealed record DumpElement(DicomTag Tag, string VR, string Value, bool IsBracketed, bool NoValue, string Length, List<List<DumpElement>>? Items)
{
    public bool UndefinedLength => Length == "u/l";
}

/// <summary>dcmdump's output of one file: the meta header and the dataset, as element trees.</summary>
public sealed partial record DumpTree(List<DumpElement> Meta, List<DumpElement> Dataset, string TransferSyntaxName)
{
    /// <summary>
    /// Runs <c>dcmdump +L -Un</c> (whole values, UIDs as numbers) on a file and parses what it prints. With
    /// <paramref name="utf8"/> the text values are converted to UTF-8 by DCMTK (<c>+U8</c>) from the file's
    /// Specific Character Set; without it the value bytes are printed as they are in the file (read here as Latin-1,
    /// one char per byte).
    /// </summary>
    public static DumpTree Of(string path, bool utf8 = false, params string[] extra)
    {
        string[] options = utf8 ? ["+L", "-Un", "+U8", .. extra] : ["+L", "-Un", .. extra];
        // Only the standard dictionary: private tags of an implicit VR dataset are UN, as the reader reads them.
        var bytes = Dcmtk.Run("dcmdump", [.. options, path]);
        var text = utf8 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
        return Parse(text);
    }

    public static DumpTree Parse(string text)
    {
        var meta = new List<DumpElement>();
        var dataset = new List<DumpElement>();
        var transferSyntax = "";
        var current = dataset;
        // The open element lists by print depth: 0 is the section; an item printed at depth d holds the elements
        // printed at depth d + 1, and belongs to the last sequence printed at depth d - 1.
        var levels = new Dictionary<int, List<DumpElement>> { [0] = current };
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (line.StartsWith("# Dicom-Meta-Information-Header", StringComparison.Ordinal))
            {
                current = meta;
                levels = new() { [0] = current };
                continue;
            }

            if (line.StartsWith("# Dicom-Data-Set", StringComparison.Ordinal))
            {
                current = dataset;
                levels = new() { [0] = current };
                continue;
            }

            if (line.StartsWith("# Used TransferSyntax: ", StringComparison.Ordinal) && current == dataset)
            {
                transferSyntax = line["# Used TransferSyntax: ".Length..];
                continue;
            }

            var match = Line().Match(line);
            if (!match.Success && Start().IsMatch(line))
            {
                // A text value with line breaks goes on over the next lines, up to the one with dcmdump's trailer.
                var joined = line;
                for (var k = n + 1; k < lines.Length && k < n + 1000; k++)
                {
                    joined += "\n" + lines[k];
                    if (Line().Match(joined) is { Success: true } whole)
                    {
                        match = whole;
                        n = k;
                        break;
                    }
                }
            }

            if (!match.Success)
            {
                continue;
            }

            var depth = match.Groups["indent"].Length / 2;
            var tag = new DicomTag(
                ushort.Parse(match.Groups["g"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ushort.Parse(match.Groups["e"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            // dcmdump shows "??" for a tag of an implicit VR dataset that its dictionary lacks: what the standard calls UN.
            // It shows "lt" for LUT Data read without a VR, which the standard reads as OW (PS3.5 §A.1).
            var vr = match.Groups["vr"].Value switch
            {
                "??" => "UN",
                "lt" => "OW",
                var other => other,
            };
            var value = match.Groups["value"].Value.TrimEnd();
            var length = match.Groups["len"].Value;

            if (tag == DicomTag.ItemDelimitation || tag == DicomTag.SequenceDelimitation)
            {
                continue;
            }

            if (tag == DicomTag.Item)
            {
                // An item of the last sequence at depth - 1 (pixel fragments of a pixel sequence included).
                var parent = levels[depth - 1][^1];
                parent.Items!.Add([]);
                Truncate(levels, depth);
                levels[depth + 1] = parent.Items[^1];
                continue;
            }

            Truncate(levels, depth);
            var bracketed = value.StartsWith('[') && value.EndsWith(']');
            var noValue = value == "(no value available)";
            var isContainer = vr == "SQ" || value.StartsWith("(PixelSequence", StringComparison.Ordinal)
                || value.StartsWith("(Sequence with", StringComparison.Ordinal);
            var element = new DumpElement(
                tag,
                vr,
                bracketed ? value[1..^1] : value,
                bracketed,
                noValue,
                length,
                isContainer ? [] : null);
            levels[depth].Add(element);
        }

        return new DumpTree(meta, dataset, transferSyntax);
    }

    /// <summary>Closes the lists deeper than <paramref name="depth"/>.</summary>
    private static void Truncate(Dictionary<int, List<DumpElement>> levels, int depth)
    {
        foreach (var deeper in levels.Keys.Where(k => k > depth).ToList())
        {
            levels.Remove(deeper);
        }
    }

    [GeneratedRegex(@"^ *\([0-9a-f]{4},[0-9a-f]{4}\) \S\S ")]
    private static partial Regex Start();

    [GeneratedRegex(@"^(?<indent> *)\((?<g>[0-9a-f]{4}),(?<e>[0-9a-f]{4})\) (?<vr>\S\S) (?<value>.*?) +# *(?<len>\d+|u/l|\?), *(?<vm>\d+) (?<name>[^\n]+)$", RegexOptions.Singleline)]
    private static partial Regex Line();
}
