using System.Buffers.Binary;
using System.Globalization;

namespace ImagingCommons.Dicom;

/// <summary>
/// One data element as read: its tag, VR, length as encoded, and either its value bytes, its items (SQ) or nothing
/// (a value longer than the reader keeps, skipped without being read).
/// </summary>
public sealed class DicomElement
{
    internal DicomElement(DicomTag tag, DicomVR vr, uint length, byte[]? value, IReadOnlyList<DicomDataset>? items, DicomDataset owner)
    {
        Tag = tag;
        VR = vr;
        Length = length;
        RawValue = value;
        Items = items;
        Owner = owner;
    }

    public const uint UndefinedLength = 0xFFFFFFFF;

    public DicomTag Tag { get; }

    public DicomVR VR { get; }

    /// <summary>The value length as encoded in the file (<see cref="UndefinedLength"/> for undefined).</summary>
    public uint Length { get; }

    /// <summary>The value bytes in the dataset's byte order; null for sequences and for skipped values.</summary>
    public byte[]? RawValue { get; }

    /// <summary>The items of a sequence (SQ, or UN of undefined length), in order; null for other elements.</summary>
    public IReadOnlyList<DicomDataset>? Items { get; }

    public bool IsSequence => Items is not null;

    /// <summary>The value was longer than the reader keeps and was skipped unread.</summary>
    public bool ValueSkipped => RawValue is null && Items is null && Length > 0;

    internal DicomDataset Owner { get; }

    /// <summary>
    /// The values of a string element, decoded with the character set in force and split at backslashes (except for
    /// ST, LT, UT and UR), each with its padding removed: trailing spaces (and NULs), and leading spaces where the VR
    /// makes them insignificant. Empty for an empty or non-string element.
    /// </summary>
    public IReadOnlyList<string> Strings()
    {
        if (RawValue is null || RawValue.Length == 0 || !VR.IsString)
        {
            return [];
        }

        var text = Owner.CharacterSet.Decode(RawValue, VR);
        var values = VR.IsMultiValuedString ? text.Split('\\') : [text];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Trim(values[i], VR);
        }

        return values;
    }

    /// <summary>The first string value, or null when there is none or it is empty.</summary>
    public string? String()
    {
        var values = Strings();
        return values.Count > 0 && values[0].Length > 0 ? values[0] : null;
    }

    /// <summary>The binary numbers of US, SS, UL, SL, FL, FD, SV, UV, AT and the O* VRs, as doubles or integers.</summary>
    public IReadOnlyList<object> Numbers()
    {
        var width = VR.BinaryWidth;
        if (RawValue is null || width == 0)
        {
            return [];
        }

        var big = Owner.BigEndian;
        var count = RawValue.Length / width;
        var values = new object[count];
        for (var i = 0; i < count; i++)
        {
            var span = RawValue.AsSpan(i * width, width);
            values[i] = VR switch
            {
                _ when VR == DicomVR.US || VR == DicomVR.OW || VR == DicomVR.AT => (object)(big ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span)),
                _ when VR == DicomVR.SS => big ? BinaryPrimitives.ReadInt16BigEndian(span) : BinaryPrimitives.ReadInt16LittleEndian(span),
                _ when VR == DicomVR.UL || VR == DicomVR.OL => big ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span),
                _ when VR == DicomVR.SL => big ? BinaryPrimitives.ReadInt32BigEndian(span) : BinaryPrimitives.ReadInt32LittleEndian(span),
                _ when VR == DicomVR.FL || VR == DicomVR.OF => big ? BinaryPrimitives.ReadSingleBigEndian(span) : BinaryPrimitives.ReadSingleLittleEndian(span),
                _ when VR == DicomVR.FD || VR == DicomVR.OD => big ? BinaryPrimitives.ReadDoubleBigEndian(span) : BinaryPrimitives.ReadDoubleLittleEndian(span),
                _ when VR == DicomVR.SV => big ? BinaryPrimitives.ReadInt64BigEndian(span) : BinaryPrimitives.ReadInt64LittleEndian(span),
                _ => big ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span),
            };
        }

        return values;
    }

    /// <summary>The first value as a 64-bit integer: binary integers, or IS text; null when absent or not a number.</summary>
    public long? Integer()
    {
        if (VR.BinaryWidth > 0 && VR != DicomVR.FL && VR != DicomVR.FD)
        {
            var numbers = Numbers();
            return numbers.Count == 0 || numbers[0] is ulong and > long.MaxValue ? null : Convert.ToInt64(numbers[0], CultureInfo.InvariantCulture);
        }

        return long.TryParse(String(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The first value as a double: DS, IS, FL, FD and the binary integers; null when absent or not a number.</summary>
    public double? Double()
    {
        if (VR.BinaryWidth > 0)
        {
            var numbers = Numbers();
            return numbers.Count > 0 ? Convert.ToDouble(numbers[0], CultureInfo.InvariantCulture) : null;
        }

        return double.TryParse(String(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
    }

    private static string Trim(string value, DicomVR vr)
    {
        var end = value.Length;
        while (end > 0 && value[end - 1] is ' ' or '\0')
        {
            end--;
        }

        var start = 0;
        if (vr != DicomVR.ST && vr != DicomVR.LT && vr != DicomVR.UT && vr != DicomVR.UC)
        {
            // Leading spaces are significant only in the text VRs.
            while (start < end && value[start] == ' ')
            {
                start++;
            }
        }

        return value[start..end];
    }

    public override string ToString() => $"{Tag} {VR} {(Length == UndefinedLength ? "u/l" : Length.ToString(CultureInfo.InvariantCulture))}";
}

/// <summary>A dataset or sequence item: its elements in file order, with the character set and byte order in force.</summary>
public sealed class DicomDataset
{
    private readonly List<DicomElement> _elements = [];
    private Dictionary<uint, DicomElement>? _byTag;

    internal DicomDataset(DicomDataset? parent, bool bigEndian)
    {
        Parent = parent;
        BigEndian = bigEndian;
        CharacterSet = parent?.CharacterSet ?? DicomCharacterSet.Default;
    }

    public DicomDataset? Parent { get; }

    public bool BigEndian { get; }

    /// <summary>The Specific Character Set of this item, or the one inherited from its enclosing dataset.</summary>
    public DicomCharacterSet CharacterSet { get; internal set; }

    public IReadOnlyList<DicomElement> Elements => _elements;

    public DicomElement? this[DicomTag tag] => Find(tag);

    public DicomElement? Find(DicomTag tag)
    {
        if (_elements.Count < 16)
        {
            foreach (var element in _elements)
            {
                if (element.Tag == tag)
                {
                    return element;
                }
            }

            return null;
        }

        if (_byTag is null)
        {
            _byTag = new Dictionary<uint, DicomElement>(_elements.Count);
            foreach (var element in _elements)
            {
                _byTag.TryAdd(element.Tag.Value, element);
            }
        }

        return _byTag.GetValueOrDefault(tag.Value);
    }

    public bool Contains(DicomTag tag) => Find(tag) is not null;

    /// <summary>The first value of a string element, padding removed; null when absent or empty.</summary>
    public string? String(DicomTag tag) => Find(tag)?.String();

    public IReadOnlyList<string> Strings(DicomTag tag) => Find(tag)?.Strings() ?? [];

    public long? Integer(DicomTag tag) => Find(tag)?.Integer();

    public double? Double(DicomTag tag) => Find(tag)?.Double();

    /// <summary>The items of a sequence element; empty when absent or not a sequence.</summary>
    public IReadOnlyList<DicomDataset> Items(DicomTag tag) => Find(tag)?.Items ?? [];

    internal void Add(DicomElement element)
    {
        _elements.Add(element);
        _byTag = null;
    }
}
