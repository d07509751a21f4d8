using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ImagingCommons.Dicom;

/// <summary>Limits that keep a hostile or broken file from costing more than a normal one.</summary>
public sealed record DicomReaderOptions
{
    /// <summary>Sequences nested deeper than this are refused (real objects stay under ten).</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Values longer than this are skipped unread (their length is kept); pixel data is never read.</summary>
    public int MaxValueLength { get; init; } = 1 << 20;

    /// <summary>A deflated dataset that inflates beyond this is refused.</summary>
    public long MaxInflatedBytes { get; init; } = 256L << 20;

    /// <summary>More elements than this (all levels together) are refused.</summary>
    public int MaxElements { get; init; } = 1_000_000;
}

/// <summary>The transfer syntaxes whose dataset encoding differs; every other (compressed) one is explicit VR little endian.</summary>
public enum DatasetEncoding
{
    ImplicitLittleEndian,
    ExplicitLittleEndian,
    ExplicitBigEndian,
    DeflatedExplicitLittleEndian,
}

/// <summary>Where the pixel data element is (its value is never read).</summary>
public sealed record PixelDataInfo(DicomTag Tag, DicomVR VR, uint Length, long Offset)
{
    /// <summary>Undefined length: encapsulated (compressed) frames follow as items.</summary>
    public bool Encapsulated => Length == DicomElement.UndefinedLength;
}

/// <summary>What <see cref="DicomReader"/> found: the file meta information, the dataset up to pixel data, and how it was encoded.</summary>
public sealed record DicomFile(
    bool HasPreamble,
    DicomDataset? FileMetaInformation,
    DicomDataset Dataset,
    string? TransferSyntaxUid,
    DatasetEncoding Encoding,
    PixelDataInfo? PixelData);

/// <summary>
/// Reads DICOM Part 10 files and raw datasets: with or without the 128-byte preamble, with or without the file meta
/// group, in implicit VR little endian, explicit VR little or big endian or deflated explicit VR little endian, with
/// defined and undefined lengths, nested sequences and items. It stops at the top-level Pixel Data and never reads
/// pixel bytes. Every length is checked against the file and every nesting against <see cref="DicomReaderOptions"/>,
/// so a broken or hostile file ends in a <see cref="DicomFormatException"/>, never a hang or an exhausted memory.
/// </summary>
public static class DicomReader
{
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";

    private static readonly DicomReaderOptions Defaults = new();

    /// <exception cref="DicomFormatException">the file is not DICOM, or is damaged.</exception>
    public static DicomFile ReadFile(string path, DicomReaderOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, options);
    }

    /// <summary>Reads from the stream's current position; a seekable stream lets long values be skipped unread.</summary>
    /// <exception cref="DicomFormatException">the bytes are not DICOM, or are damaged.</exception>
    public static DicomFile Read(Stream stream, DicomReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        using var source = new ByteSource(stream, length);
        var reader = new Reader(source, options ?? Defaults);
        return reader.ReadFile();
    }

    private sealed class Reader(ByteSource source, DicomReaderOptions options)
    {
        private ByteSource _source = source;
        private int _elements;
        private PixelDataInfo? _pixelData;

        public DicomFile ReadFile()
        {
            var head = _source.Peek(132);
            var hasPreamble = head.Length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
            if (hasPreamble)
            {
                _source.Advance(132);
            }

            DicomDataset? meta = null;
            var first = _source.Peek(6);
            if (first.Length >= 6 && BinaryPrimitives.ReadUInt16LittleEndian(first) == 0x0002 && DicomVR.TryParse(first[4], first[5], out _))
            {
                meta = new DicomDataset(null, bigEndian: false);
                ReadMeta(meta);
            }
            else if (hasPreamble && first.Length < 6)
            {
                throw new DicomFormatException("the file ends right after its DICM prefix");
            }

            var transferSyntax = meta?.String(DicomTag.TransferSyntaxUid);
            var encoding = DetectEncoding(transferSyntax, hasPreamble || meta is not null);
            ByteSource? inflated = null;
            try
            {
                if (encoding == DatasetEncoding.DeflatedExplicitLittleEndian)
                {
                    var deflate = new DeflateStream(_source.Remainder(), CompressionMode.Decompress);
                    inflated = new ByteSource(new BoundedStream(deflate, options.MaxInflatedBytes), null);
                    _source = inflated;
                }

                var dataset = new DicomDataset(null, encoding == DatasetEncoding.ExplicitBigEndian);
                var syntax = new Syntax(encoding != DatasetEncoding.ImplicitLittleEndian, encoding == DatasetEncoding.ExplicitBigEndian);
                ReadItems(dataset, syntax, end: null, undefinedItem: false, depth: 0);
                return new DicomFile(hasPreamble, meta, dataset, transferSyntax, encoding, _pixelData);
            }
            finally
            {
                inflated?.Dispose();
            }
        }

        /// <summary>The file meta group: explicit VR little endian, group 0002 only.</summary>
        private void ReadMeta(DicomDataset meta)
        {
            var syntax = new Syntax(Explicit: true, BigEndian: false);
            while (true)
            {
                var peek = _source.Peek(2);
                if (peek.Length < 2 || BinaryPrimitives.ReadUInt16LittleEndian(peek) != 0x0002)
                {
                    return;
                }

                if (!ReadElement(meta, syntax, depth: 0))
                {
                    return;
                }
            }
        }

        private DatasetEncoding DetectEncoding(string? transferSyntax, bool isPart10)
        {
            var head = _source.Peek(8);
            if (head.Length == 0)
            {
                if (isPart10)
                {
                    return DatasetEncoding.ExplicitLittleEndian;
                }

                throw new DicomFormatException("the file is empty");
            }

            if (head.Length < 8)
            {
                throw new DicomFormatException(isPart10 ? "the dataset is truncated" : "not a DICOM file (too short)");
            }

            var declared = transferSyntax switch
            {
                null => (DatasetEncoding?)null,
                ImplicitVRLittleEndian => DatasetEncoding.ImplicitLittleEndian,
                ExplicitVRBigEndian => DatasetEncoding.ExplicitBigEndian,
                DeflatedExplicitVRLittleEndian => DatasetEncoding.DeflatedExplicitLittleEndian,
                _ => DatasetEncoding.ExplicitLittleEndian,
            };
            if (declared == DatasetEncoding.DeflatedExplicitLittleEndian)
            {
                return declared.Value;
            }

            var groupLe = BinaryPrimitives.ReadUInt16LittleEndian(head);
            var groupBe = BinaryPrimitives.ReadUInt16BigEndian(head);
            var hasVR = DicomVR.TryParse(head[4], head[5], out _);
            if (declared is { } d)
            {
                // Some writers declare one syntax and write another: trust the bytes of the first element (as DCMTK does).
                return d switch
                {
                    DatasetEncoding.ExplicitLittleEndian when !hasVR => DatasetEncoding.ImplicitLittleEndian,
                    DatasetEncoding.ImplicitLittleEndian when hasVR && PlausibleGroup(groupLe) && BinaryPrimitives.ReadUInt32LittleEndian(head[4..]) > (uint)(_source.Length ?? long.MaxValue) => DatasetEncoding.ExplicitLittleEndian,
                    _ => d,
                };
            }

            // A raw dataset: the first tag must look like the start of one.
            if (PlausibleGroup(groupLe) && groupLe != 0)
            {
                if (hasVR)
                {
                    return DatasetEncoding.ExplicitLittleEndian;
                }

                var length = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
                if (length == DicomElement.UndefinedLength || length <= (_source.Length ?? long.MaxValue) - 8)
                {
                    return DatasetEncoding.ImplicitLittleEndian;
                }
            }
            else if (PlausibleGroup(groupBe) && groupBe != 0 && hasVR)
            {
                return DatasetEncoding.ExplicitBigEndian;
            }

            throw new DicomFormatException("not a DICOM file (no DICM prefix, no file meta information, and the first bytes are not a DICOM dataset)");
        }

        /// <summary>The groups a dataset starts with (identifying, patient, acquisition ... up to 0x0020).</summary>
        private static bool PlausibleGroup(ushort group) => group <= 0x0020 && group % 2 == 0;

        /// <summary>
        /// Reads elements into <paramref name="dataset"/> until <paramref name="end"/> (a defined length), an item
        /// delimiter (<paramref name="undefinedItem"/>), the end of the stream (top level), or the top-level pixel data.
        /// </summary>
        private void ReadItems(DicomDataset dataset, Syntax syntax, long? end, bool undefinedItem, int depth)
        {
            while (true)
            {
                if (end is { } e)
                {
                    if (_source.Position == e)
                    {
                        return;
                    }

                    if (_source.Position > e)
                    {
                        throw new DicomFormatException("an element runs past the end of its item") { Offset = _source.Position };
                    }
                }

                if (!_source.TryEnsure(4) && _source.Buffered == 0 && depth == 0 && end is null)
                {
                    return;
                }

                if (!ReadElement(dataset, syntax, depth, undefinedItem))
                {
                    return;
                }
            }
        }

        /// <summary>Reads one element; false when reading this dataset is over (item delimiter, or pixel data reached).</summary>
        private bool ReadElement(DicomDataset dataset, Syntax syntax, int depth, bool inUndefinedItem = false)
        {
            var offset = _source.Position;
            var tagBytes = _source.Read(4);
            var tag = syntax.BigEndian
                ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(tagBytes), BinaryPrimitives.ReadUInt16BigEndian(tagBytes[2..]))
                : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(tagBytes), BinaryPrimitives.ReadUInt16LittleEndian(tagBytes[2..]));

            if (tag.Group == 0xFFFE)
            {
                var delimiterLength = ReadUInt32(syntax);
                if (tag == DicomTag.ItemDelimitation && inUndefinedItem)
                {
                    return false;
                }

                if (tag == DicomTag.ItemDelimitation && depth == 0 && delimiterLength == 0)
                {
                    // A stray item delimiter at the top level (seen in the wild); nothing follows from it.
                    return true;
                }

                throw new DicomFormatException($"unexpected {(tag == DicomTag.Item ? "item" : "delimiter")} {tag} outside a sequence") { Offset = offset };
            }

            if (++_elements > options.MaxElements)
            {
                throw new DicomFormatException($"more than {options.MaxElements} elements") { Offset = offset };
            }

            DicomVR vr;
            uint length;
            if (syntax.Explicit)
            {
                var vrBytes = _source.Read(2);
                if (!DicomVR.TryParse(vrBytes[0], vrBytes[1], out vr))
                {
                    throw new DicomFormatException($"element {tag} has an invalid VR (bytes 0x{vrBytes[0]:X2} 0x{vrBytes[1]:X2})") { Offset = offset };
                }

                if (vr.HasLongLength)
                {
                    _source.Read(2);
                    length = ReadUInt32(syntax);
                }
                else
                {
                    var lengthBytes = _source.Read(2);
                    length = syntax.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(lengthBytes) : BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes);
                }
            }
            else
            {
                length = ReadUInt32(syntax);
                vr = DicomDictionary.VRFor(tag) ?? (length == DicomElement.UndefinedLength ? DicomVR.SQ : DicomVR.UN);
                if (vr == DicomVR.US && DicomDictionary.IsSignDependent(tag) && PixelRepresentation(dataset) == 1)
                {
                    vr = DicomVR.SS;
                }
                if (vr == DicomVR.OW && length == DicomElement.UndefinedLength && !IsPixelData(tag))
                {
                    // Only pixel data may be an undefined-length OB/OW; anything else of undefined length is a sequence.
                    vr = DicomVR.SQ;
                }
            }

            if (depth == 0 && (IsPixelData(tag) || tag.Value > DicomTag.PixelData.Value))
            {
                if (IsPixelData(tag))
                {
                    // Encapsulated frames are OB whatever the file says (PS3.5 §A.4).
                    _pixelData = new PixelDataInfo(tag, length == DicomElement.UndefinedLength ? DicomVR.OB : vr, length, offset);
                }

                return false;
            }

            if (vr == DicomVR.SQ || (vr == DicomVR.UN && length == DicomElement.UndefinedLength))
            {
                // CP-246: an undefined-length UN holds implicit VR little endian items.
                var itemSyntax = vr == DicomVR.UN ? new Syntax(Explicit: false, BigEndian: false) : syntax;
                var items = ReadSequence(tag, length, itemSyntax, dataset, depth + 1);
                dataset.Add(new DicomElement(tag, vr, length, null, items, dataset));
                return true;
            }

            if (length == DicomElement.UndefinedLength)
            {
                if (!IsPixelData(tag) && vr != DicomVR.OB && vr != DicomVR.OW)
                {
                    throw new DicomFormatException($"element {tag} ({vr}) has an undefined length, which only sequences and pixel data may have") { Offset = offset };
                }

                // Encapsulated data inside an item (an icon image): skip its fragments.
                SkipFragments(syntax);
                dataset.Add(new DicomElement(tag, vr, length, null, null, dataset));
                return true;
            }

            CheckFits(length, offset);
            byte[]? value = null;
            if (length <= options.MaxValueLength)
            {
                value = _source.ReadArray((int)length);
            }
            else
            {
                _source.Skip(length);
            }

            var element = new DicomElement(tag, vr, length, value, null, dataset);
            dataset.Add(element);
            if (tag == DicomTag.SpecificCharacterSet && value is not null)
            {
                dataset.CharacterSet = DicomCharacterSet.FromTerms(Encoding.ASCII.GetString(value).Split('\\'));
            }

            return true;
        }

        private List<DicomDataset> ReadSequence(DicomTag tag, uint length, Syntax syntax, DicomDataset parent, int depth)
        {
            if (depth > options.MaxDepth)
            {
                throw new DicomFormatException($"sequences are nested more than {options.MaxDepth} deep (at {tag})") { Offset = _source.Position };
            }

            long? end = null;
            if (length != DicomElement.UndefinedLength)
            {
                CheckFits(length, _source.Position);
                end = _source.Position + length;
            }

            var items = new List<DicomDataset>();
            while (true)
            {
                if (end is { } e)
                {
                    if (_source.Position == e)
                    {
                        return items;
                    }

                    if (_source.Position > e)
                    {
                        throw new DicomFormatException($"an item runs past the end of sequence {tag}") { Offset = _source.Position };
                    }
                }

                var offset = _source.Position;
                var itemTagBytes = _source.Read(4);
                var itemTag = syntax.BigEndian
                    ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(itemTagBytes), BinaryPrimitives.ReadUInt16BigEndian(itemTagBytes[2..]))
                    : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(itemTagBytes), BinaryPrimitives.ReadUInt16LittleEndian(itemTagBytes[2..]));
                var itemLength = ReadUInt32(syntax);
                if (itemTag == DicomTag.SequenceDelimitation)
                {
                    if (end is null)
                    {
                        return items;
                    }

                    throw new DicomFormatException($"a sequence delimiter inside defined-length sequence {tag}") { Offset = offset };
                }

                if (itemTag != DicomTag.Item)
                {
                    throw new DicomFormatException($"sequence {tag} holds {itemTag} where an item was expected") { Offset = offset };
                }

                if (++_elements > options.MaxElements)
                {
                    throw new DicomFormatException($"more than {options.MaxElements} elements") { Offset = offset };
                }

                var item = new DicomDataset(parent, syntax.BigEndian);
                if (itemLength == DicomElement.UndefinedLength)
                {
                    ReadItems(item, syntax, end: null, undefinedItem: true, depth);
                }
                else
                {
                    CheckFits(itemLength, _source.Position);
                    var itemEnd = _source.Position + itemLength;
                    if (end is { } seqEnd && itemEnd > seqEnd)
                    {
                        throw new DicomFormatException($"an item of {itemLength} bytes runs past the end of sequence {tag}") { Offset = offset };
                    }

                    ReadItems(item, syntax, itemEnd, undefinedItem: false, depth);
                }

                items.Add(item);
            }
        }

        private void SkipFragments(Syntax syntax)
        {
            while (true)
            {
                var offset = _source.Position;
                var tagBytes = _source.Read(4);
                var tag = syntax.BigEndian
                    ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(tagBytes), BinaryPrimitives.ReadUInt16BigEndian(tagBytes[2..]))
                    : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(tagBytes), BinaryPrimitives.ReadUInt16LittleEndian(tagBytes[2..]));
                var length = ReadUInt32(syntax);
                if (tag == DicomTag.SequenceDelimitation)
                {
                    return;
                }

                if (tag != DicomTag.Item || length == DicomElement.UndefinedLength)
                {
                    throw new DicomFormatException($"encapsulated data holds {tag} where a fragment was expected") { Offset = offset };
                }

                if (++_elements > options.MaxElements)
                {
                    throw new DicomFormatException($"more than {options.MaxElements} elements") { Offset = offset };
                }

                CheckFits(length, _source.Position);
                _source.Skip(length);
            }
        }

        private void CheckFits(uint length, long offset)
        {
            if (_source.Length is { } total && _source.Position + length > total)
            {
                throw new DicomFormatException($"a length of {length} bytes at offset {offset} runs past the end of the file ({total} bytes)") { Offset = offset };
            }
        }

        private uint ReadUInt32(Syntax syntax)
        {
            var bytes = _source.Read(4);
            return syntax.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }

        /// <summary>Pixel Representation (0028,0103) of the dataset or the nearest enclosing one that has it.</summary>
        private static long? PixelRepresentation(DicomDataset? dataset)
        {
            for (var d = dataset; d is not null; d = d.Parent)
            {
                if (d.Find(new DicomTag(0x0028, 0x0103)) is { } element)
                {
                    return element.Integer();
                }
            }

            return null;
        }

        private static bool IsPixelData(DicomTag tag) =>
            tag == DicomTag.PixelData || tag == DicomTag.FloatPixelData || tag == DicomTag.DoubleFloatPixelData;
    }

    private readonly record struct Syntax(bool Explicit, bool BigEndian);
}
