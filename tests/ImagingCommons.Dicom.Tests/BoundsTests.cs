using System.Buffers.Binary;
using System.IO.Compression;
using ImagingCommons.Dicom.Tests.Support;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Dicom.Tests;

/// <summary>Pixel bytes are never read, and lengths, nesting and inflation are bounded.</summary>
public sealed class BoundsTests
{
    [Fact]
    public void A_file_with_200_megabytes_of_pixel_data_costs_the_reader_only_its_header()
    {
        var bytes = File.ReadAllBytes(DicomSamples.Sample("CT_small.dcm"));
        // (7FE0,0010) OW in explicit VR little endian: tag, "OW", two reserved bytes, then the 4-byte length.
        var offset = IndexOf(bytes, [0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0]);
        Assert.True(offset > 0);
        const uint claimed = 200_000_000;
        var path = Path.Combine(DicomSamples.NewScratchFolder(), "big.dcm");
        using (var output = File.Create(path))
        {
            output.Write(bytes, 0, offset + 8);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, claimed);
            output.Write(length);
            output.SetLength(offset + 12 + claimed);
        }

        using var counting = new CountingStream(File.OpenRead(path));
        var file = DicomReader.Read(counting);

        Assert.Equal(claimed, file.PixelData!.Length);
        Assert.Equal(offset, file.PixelData.Offset);
        Assert.True(counting.BytesRead < offset + (128 * 1024), $"read {counting.BytesRead} bytes of a {offset + 12 + claimed}-byte file");
    }

    [Fact]
    public void A_length_beyond_the_end_of_the_file_is_refused_with_a_reason()
    {
        var bytes = File.ReadAllBytes(DicomSamples.Sample("CT_small.dcm"));
        // (0008,0060) CS, 2-byte length: claim 60,000 bytes of Modality.
        var offset = IndexOf(bytes, [0x08, 0x00, 0x60, 0x00, (byte)'C', (byte)'S']);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 6), 60_000);
        var truncated = bytes[..(offset + 200)];

        var error = Assert.Throws<DicomFormatException>(() => DicomReader.Read(new MemoryStream(truncated)));

        Assert.Contains("past the end of the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequences_nested_deeper_than_the_limit_are_refused()
    {
        // 100 undefined-length sequences (0040,A730), each with one undefined-length item, in implicit VR.
        using var data = new MemoryStream();
        void Write(ushort group, ushort element, uint length)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt16LittleEndian(b, group);
            BinaryPrimitives.WriteUInt16LittleEndian(b[2..], element);
            BinaryPrimitives.WriteUInt32LittleEndian(b[4..], length);
            data.Write(b);
        }

        Write(0x0008, 0x0060, 2);
        data.Write("SR"u8);
        for (var i = 0; i < 100; i++)
        {
            Write(0x0040, 0xA730, 0xFFFFFFFF);
            Write(0xFFFE, 0xE000, 0xFFFFFFFF);
        }

        data.Position = 0;
        var error = Assert.Throws<DicomFormatException>(() => DicomReader.Read(data));

        Assert.Contains("nested more than 32 deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deflated_dataset_that_inflates_beyond_the_limit_is_refused()
    {
        // A file meta group naming the deflated syntax, then 64 MB of zeros inside one OB value, deflated to ~64 KB.
        using var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        var uid = "1.2.840.10008.1.2.1.99"u8;
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 0x0010);
        header[4] = (byte)'U';
        header[5] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)uid.Length);
        file.Write(header);
        file.Write(uid);
        using (var deflate = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            Span<byte> element = stackalloc byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(element, 0x0009);
            BinaryPrimitives.WriteUInt16LittleEndian(element[2..], 0x1001);
            element[4] = (byte)'O';
            element[5] = (byte)'B';
            BinaryPrimitives.WriteUInt32LittleEndian(element[8..], 64 << 20);
            deflate.Write(element);
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                deflate.Write(zeros);
            }
        }

        file.Position = 0;
        var error = Assert.Throws<DicomFormatException>(() => DicomReader.Read(file, new DicomReaderOptions { MaxInflatedBytes = 8 << 20 }));

        Assert.Contains("inflates beyond", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, world: not DICOM at all, but a text file of some length")]
    public void Bytes_that_are_not_dicom_are_refused_as_such(string text)
    {
        var error = Assert.Throws<DicomFormatException>(() => DicomReader.Read(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text))));

        Assert.Contains(text.Length == 0 ? "empty" : "not a DICOM file", error.Message, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
