using System.Buffers;

namespace ImagingCommons.Dicom;

/// <summary>
/// A forward reader over a stream with its own buffer: peeks and reads small headers from memory, and skips long
/// values by seeking when the stream can seek (so a value's bytes are never read unless they are kept).
/// </summary>
internal sealed class ByteSource : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _seekable;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _position;

    public ByteSource(Stream stream, long? length)
    {
        _stream = stream;
        _seekable = stream.CanSeek;
        Length = length;
        _position = 0;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>Bytes from the start of this source (the inflated stream for deflated datasets).</summary>
    public long Position => _position;

    /// <summary>The source's length when known (a file), null for a stream of unknown length (inflated data).</summary>
    public long? Length { get; }

    public int Buffered => _end - _start;

    /// <summary>True when at least <paramref name="count"/> bytes can be read (reads the stream as needed).</summary>
    public bool TryEnsure(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (count > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(count);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        while (_end < count)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    /// <summary>The next <paramref name="count"/> bytes without consuming them; fewer at the end of the stream.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        TryEnsure(count);
        return _buffer.AsSpan(_start, Math.Min(count, _end - _start));
    }

    public void Advance(int count)
    {
        _start += count;
        _position += count;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws when the stream ends first.</summary>
    public ReadOnlySpan<byte> Read(int count)
    {
        if (!TryEnsure(count))
        {
            throw Truncated(count);
        }

        var span = _buffer.AsSpan(_start, count);
        Advance(count);
        return span;
    }

    public byte[] ReadArray(int count)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_end == _start && !TryEnsure(Math.Min(count - copied, BufferSize)) && _end == _start)
            {
                throw Truncated(count - copied);
            }

            var take = Math.Min(count - copied, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, copied, take);
            Advance(take);
            copied += take;
        }

        return result;
    }

    /// <summary>Moves past <paramref name="count"/> bytes: from the buffer, by seeking, or by reading and discarding.</summary>
    public void Skip(long count)
    {
        var inBuffer = Math.Min(count, _end - _start);
        Advance((int)inBuffer);
        var rest = count - inBuffer;
        if (rest == 0)
        {
            return;
        }

        if (_seekable)
        {
            if (Length is { } length && _position + rest > length)
            {
                throw Truncated(rest);
            }

            _stream.Seek(rest, SeekOrigin.Current);
            _position += rest;
            return;
        }

        while (rest > 0)
        {
            var read = _stream.Read(_buffer, 0, (int)Math.Min(rest, _buffer.Length));
            if (read == 0)
            {
                throw Truncated(rest);
            }

            rest -= read;
            _position += read;
        }

        _start = _end = 0;
    }

    /// <summary>The rest of the source as a stream (buffered bytes first), for inflating a deflated dataset.</summary>
    public Stream Remainder()
    {
        var buffered = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return new ConcatenatedStream(buffered, _stream);
    }

    public DicomFormatException Truncated(long wanted) =>
        new($"the file ends {wanted} bytes before the data it announces (truncated, or a length beyond the end of the file)") { Offset = _position };

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private sealed class ConcatenatedStream(byte[] head, Stream tail) : Stream
    {
        private int _headPosition;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_headPosition < head.Length)
            {
                var take = Math.Min(buffer.Length, head.Length - _headPosition);
                head.AsSpan(_headPosition, take).CopyTo(buffer);
                _headPosition += take;
                return take;
            }

            return tail.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Counts what is read through it and stops a stream that grows beyond a bound (a deflate bomb).</summary>
internal sealed class BoundedStream(Stream inner, long maxBytes) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new DicomFormatException("the deflated dataset is not valid deflate data: " + e.Message, e) { Offset = _read };
        }

        _read += read;
        if (_read > maxBytes)
        {
            throw new DicomFormatException($"the deflated dataset inflates beyond {maxBytes} bytes") { Offset = _read };
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

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
