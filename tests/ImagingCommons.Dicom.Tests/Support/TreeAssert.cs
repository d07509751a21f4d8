using System.Globalization;
using System.Text;

using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Dicom.Tests.Support;

/// <summary>Asserts that what the reader found is, element by element, what dcmdump printed for the same file.</summary>
internal static class TreeAssert
{
    /// <summary>
    /// Every element up to the top-level pixel data: same tags in the same order, same VRs, same lengths, same value
    /// bytes (strings), same numbers, same sequence structure; the pixel data element itself is found where
    /// dcmdump shows it. With <paramref name="utf8"/>, the decoded text of every SH/LO/ST/LT/UT/PN/UC value equals
    /// DCMTK's conversion to UTF-8.
    /// </summary>
    public static void Matches(DicomFile file, DumpTree raw, DumpTree? utf8 = null)
    {
        var expected = raw.Dataset.TakeWhile(e => !(IsPixel(e.Tag) || e.Tag.Value > DicomTag.PixelData.Value)).ToList();
        Compare(file.Dataset, expected, utf8?.Dataset, "");
        if (raw.Meta.Count > 0)
        {
            Assert.NotNull(file.FileMetaInformation);
            Compare(file.FileMetaInformation!, raw.Meta, null, "meta ");
        }
        else
        {
            Assert.Null(file.FileMetaInformation);
        }

        var pixel = raw.Dataset.FirstOrDefault(e => IsPixel(e.Tag));
        if (pixel is null)
        {
            Assert.Null(file.PixelData);
        }
        else
        {
            Assert.NotNull(file.PixelData);
            Assert.Equal(pixel.Tag, file.PixelData!.Tag);
            Assert.Equal(pixel.VR, file.PixelData.VR.ToString());
            Assert.Equal(pixel.Value.StartsWith("(PixelSequence", StringComparison.Ordinal), file.PixelData.Encapsulated);
            if (!file.PixelData.Encapsulated)
            {
                Assert.Equal(pixel.Length, file.PixelData.Length.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private static void Compare(DicomDataset mine, List<DumpElement> theirs, List<DumpElement>? theirsUtf8, string path)
    {
        var tags = string.Join(" ", mine.Elements.Select(e => e.Tag));
        Assert.True(
            mine.Elements.Count == theirs.Count,
            $"{path}: {mine.Elements.Count} elements read, dcmdump shows {theirs.Count}\n read:    {tags}\n dcmdump: {string.Join(" ", theirs.Select(e => e.Tag))}");
        // DCMTK's UTF-8 conversion adds or rewrites (0008,0005), so its elements are matched by tag.
        var converted = theirsUtf8?.GroupBy(e => e.Tag).ToDictionary(g => g.Key, g => g.First());
        for (var i = 0; i < theirs.Count; i++)
        {
            var a = mine.Elements[i];
            var b = theirs[i];
            var here = $"{path}{b.Tag}";
            Assert.True(a.Tag == b.Tag, $"{here}: read {a.Tag}");
            Assert.True(a.VR.ToString() == b.VR, $"{here}: VR {a.VR}, dcmdump {b.VR}");
            if (b.Items is not null)
            {
                Assert.True(a.Items is not null, $"{here}: not read as a sequence");
                Assert.True((a.Length == DicomElement.UndefinedLength) == b.UndefinedLength, $"{here}: undefined length {a.Length == DicomElement.UndefinedLength}, dcmdump {b.Length}");
                Assert.True(a.Items!.Count == b.Items.Count, $"{here}: {a.Items.Count} items, dcmdump {b.Items.Count}");
                var utf8Items = converted?.GetValueOrDefault(b.Tag)?.Items;
                for (var j = 0; j < b.Items.Count; j++)
                {
                    Compare(a.Items[j], b.Items[j], utf8Items?.ElementAtOrDefault(j), $"{here}[{j}].");
                }

                continue;
            }

            Assert.True(a.Length.ToString(CultureInfo.InvariantCulture) == b.Length, $"{here}: length {a.Length}, dcmdump {b.Length}");
            if (a.ValueSkipped)
            {
                continue;
            }

            CompareValue(a, b, here);
            if (converted is not null && a.VR.IsCharacterSetText)
            {
                var utf8 = converted[b.Tag];
                var expected = utf8.NoValue ? "" : Normalise(utf8.Value, a.VR);
                Assert.True(string.Join('\\', a.Strings()) == expected, $"{here}: decoded '{string.Join('\\', a.Strings())}', DCMTK's UTF-8 '{expected}'");
            }
        }
    }

    private static void CompareValue(DicomElement a, DumpElement b, string here)
    {
        var vr = a.VR;
        var bytes = a.RawValue ?? [];
        if (vr.IsString)
        {
            var expected = b.NoValue ? "" : Normalise(b.Value, vr);
            var actual = bytes.Length == 0 ? "" : Normalise(Encoding.Latin1.GetString(bytes), vr);
            Assert.True(actual == expected, $"{here}: value bytes '{actual}', dcmdump '{expected}'");
            return;
        }

        if (vr == DicomVR.AT)
        {
            var numbers = a.Numbers().Cast<ushort>().ToList();
            var pairs = Enumerable.Range(0, numbers.Count / 2).Select(k => $"({numbers[2 * k]:x4},{numbers[(2 * k) + 1]:x4})");
            Assert.Equal(b.NoValue ? "" : b.Value, string.Join('\\', pairs));
            return;
        }

        if (vr == DicomVR.US || vr == DicomVR.SS || vr == DicomVR.UL || vr == DicomVR.SL || vr == DicomVR.FL || vr == DicomVR.FD || vr == DicomVR.SV || vr == DicomVR.UV)
        {
            var numbers = a.Numbers().Select(n => Convert.ToDouble(n, CultureInfo.InvariantCulture)).ToList();
            var printed = b.NoValue ? [] : b.Value.Split('\\').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            Assert.True(numbers.Count == printed.Count, $"{here}: {numbers.Count} numbers, dcmdump {printed.Count}");
            for (var k = 0; k < numbers.Count; k++)
            {
                var tolerance = vr == DicomVR.FL ? 1e-6 : 1e-12;
                Assert.True(Math.Abs(numbers[k] - printed[k]) <= tolerance * Math.Max(1, Math.Abs(printed[k])), $"{here}[{k}]: {numbers[k]}, dcmdump {printed[k]}");
            }

            return;
        }

        if (vr == DicomVR.OB || vr == DicomVR.UN)
        {
            Assert.Equal(b.NoValue ? "" : b.Value, string.Join('\\', bytes.Select(x => x.ToString("x2", CultureInfo.InvariantCulture))));
            return;
        }

        if (vr == DicomVR.OW)
        {
            var words = a.Numbers().Cast<ushort>().Select(w => w.ToString("x4", CultureInfo.InvariantCulture));
            Assert.Equal(b.NoValue ? "" : b.Value, string.Join('\\', words));
        }

        // OF, OD, OL, OV: the length check above is what is compared.
    }

    /// <summary>DICOM's padding rules applied to a printed value: trailing spaces and NULs go, and leading spaces outside the text VRs.</summary>
    private static string Normalise(string value, DicomVR vr)
    {
        var parts = vr.IsMultiValuedString ? value.Split('\\') : [value];
        return string.Join('\\', parts.Select(p =>
        {
            p = p.TrimEnd(' ', '\0');
            return vr == DicomVR.ST || vr == DicomVR.LT || vr == DicomVR.UT || vr == DicomVR.UC ? p : p.TrimStart(' ');
        }));
    }

    private static bool IsPixel(DicomTag tag) => tag == DicomTag.PixelData || tag == DicomTag.FloatPixelData || tag == DicomTag.DoubleFloatPixelData;
}
