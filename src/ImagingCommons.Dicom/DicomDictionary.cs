using System.Globalization;

namespace ImagingCommons.Dicom;

/// <summary>
/// The VR of each standard tag (DICOM PS3.6), which implicit VR datasets do not carry. Loaded once from the embedded
/// list; private and unknown tags have none (they are read as UN, or as a sequence when their length is undefined).
/// </summary>
public static class DicomDictionary
{
    private static readonly Lazy<(Dictionary<uint, DicomVR> Exact, Dictionary<uint, DicomVR> Repeating, HashSet<uint> SignDependent)> Entries = new(Load);

    /// <summary>The tag's VR per the standard, or null when the standard does not define the tag.</summary>
    public static DicomVR? VRFor(DicomTag tag)
    {
        if (tag.Element == 0x0000)
        {
            // Group lengths (gggg,0000) are UL in every group.
            return DicomVR.UL;
        }

        if (tag.IsPrivate && tag.Element is >= 0x0010 and <= 0x00FF)
        {
            // Private creators (PS3.5 §7.8.1).
            return DicomVR.LO;
        }

        var (exact, repeating, _) = Entries.Value;
        if (exact.TryGetValue(tag.Value, out var vr))
        {
            return vr;
        }

        return repeating.TryGetValue(tag.Value & 0xFF00FFFF, out vr) ? vr : null;
    }

    /// <summary>Tags whose VR is US or SS depending on Pixel Representation (the dictionary's "xs").</summary>
    public static bool IsSignDependent(DicomTag tag) => Entries.Value.SignDependent.Contains(tag.Value);

    private static (Dictionary<uint, DicomVR>, Dictionary<uint, DicomVR>, HashSet<uint>) Load()
    {
        var exact = new Dictionary<uint, DicomVR>(5000);
        var repeating = new Dictionary<uint, DicomVR>();
        var signDependent = new HashSet<uint>();
        using var stream = typeof(DicomDictionary).Assembly.GetManifestResourceStream("dicom/dictionary.txt")
            ?? throw new InvalidOperationException("The embedded DICOM dictionary is missing.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 11 || line[0] == '#')
            {
                continue;
            }

            var code = line[9..11];
            var vr = code == "XS" ? DicomVR.US : DicomVR.Parse(code);
            if (line[2] == 'x')
            {
                var key = uint.Parse(line[..2] + "00" + line[4..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                repeating[key] = vr;
            }
            else
            {
                var key = uint.Parse(line[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                exact[key] = vr;
                if (code == "XS")
                {
                    signDependent.Add(key);
                }
            }
        }

        return (exact, repeating, signDependent);
    }
}
