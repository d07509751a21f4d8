using System.Buffers.Binary;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Dicom.Tests;

/// <summary>
/// Thousands of mutated files (truncations, flipped bytes, absurd lengths, noise after a valid preamble): the reader
/// returns a dataset or throws <see cref="DicomFormatException"/>, nothing else, and never reads past the end or hangs.
/// </summary>
public sealed class FuzzTests
{
    private const int MutationsPerFile = 400;

    public static TheoryData<string> Samples => [.. DicomSamples.Samples];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Mutated_files_never_crash_or_hang_the_reader(string name)
    {
        var original = File.ReadAllBytes(DicomSamples.Sample(name));
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 20261202);
        var refused = 0;
        for (var i = 0; i < MutationsPerFile; i++)
        {
            var mutated = Mutate(original, random, i % 5);
            var outcome = ReadBounded(mutated, seekable: i % 2 == 0);
            if (outcome is DicomFormatException)
            {
                refused++;
            }
            else if (outcome is not null)
            {
                Assert.Fail($"{name} mutation {i} (kind {i % 5}): {outcome.GetType().Name}: {outcome.Message}\n{outcome.StackTrace}");
            }
        }

        // The mutations are hostile enough that many are refused, and mild enough that some still read.
        Assert.InRange(refused, 1, MutationsPerFile - 1);
    }

    [Fact]
    public void Random_noise_after_a_valid_preamble_is_refused_or_read_never_anything_else()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[132 + random.Next(0, 4096)];
            random.NextBytes(bytes.AsSpan(132));
            "DICM"u8.CopyTo(bytes.AsSpan(128));
            if (i % 3 == 0 && bytes.Length > 140)
            {
                // A plausible start of a file meta group, then noise.
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(132), 0x0002);
                bytes[136] = (byte)'U';
                bytes[137] = (byte)'L';
            }

            var outcome = ReadBounded(bytes, seekable: i % 2 == 0);
            Assert.True(outcome is null or DicomFormatException, $"noise {i}: {outcome?.GetType().Name}: {outcome?.Message}");
        }
    }

    private static byte[] Mutate(byte[] original, Random random, int kind)
    {
        var bytes = (byte[])original.Clone();
        switch (kind)
        {
            case 0:
                // Truncation anywhere.
                return bytes[..random.Next(0, bytes.Length)];
            case 1:
                // A few flipped bytes in the header part (where the structure is).
                for (var k = random.Next(1, 8); k > 0; k--)
                {
                    bytes[random.Next(0, Math.Min(bytes.Length, 4096))] ^= (byte)random.Next(1, 256);
                }

                return bytes;
            case 2:
                // An absurd 32-bit length somewhere (0xFFFFFFF0, 0x7FFFFFFF, or undefined).
                var at = random.Next(128, Math.Max(129, Math.Min(bytes.Length - 4, 4096)));
                uint[] lengths = [0xFFFFFFF0, 0x7FFFFFFF, 0xFFFFFFFF, 0x00010000];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), lengths[random.Next(lengths.Length)]);
                return bytes;
            case 3:
                // An absurd 16-bit length.
                var at16 = random.Next(128, Math.Max(129, Math.Min(bytes.Length - 2, 4096)));
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at16), 0xFFFF);
                return bytes;
            default:
                // Noise over a random stretch.
                var start = random.Next(0, bytes.Length);
                random.NextBytes(bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 512))));
                return bytes;
        }
    }

    /// <summary>Reads on another thread and waits a bounded time: null when it read, the exception when it threw.</summary>
    private static Exception? ReadBounded(byte[] bytes, bool seekable)
    {
        var read = Task.Run(() =>
        {
            using Stream stream = seekable ? new MemoryStream(bytes) : new ForwardOnly(bytes);
            DicomReader.Read(stream);
        });
        // A hang detector, not a speed check: a read of a few kilobytes that does not end in 30 s never will.
        Assert.True(Task.WaitAny([read], TimeSpan.FromSeconds(30)) == 0, "the reader did not return");
        return read.Exception?.InnerException;
    }

    private sealed class ForwardOnly(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
