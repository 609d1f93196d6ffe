namespace Megalodon.ML.IO;

/// <summary>
/// A read-only, seekable view of a stream from a start offset to its end, so a file embedded after a prefix (an older
/// model zip's length field, for instance) reads as if it began at position 0.
/// </summary>
internal sealed class StreamWindow : Stream
{
    private readonly Stream _inner;
    private readonly long _start;

    /// <summary>Views <paramref name="inner"/> from <paramref name="start"/> on; the inner stream stays open when this one is disposed.</summary>
    public StreamWindow(Stream inner, long start)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanRead || !inner.CanSeek) throw new ArgumentException("A stream window needs a readable, seekable stream.", nameof(inner));
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        _inner = inner;
        _start = start;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => Math.Max(0, _inner.Length - _start);

    public override long Position
    {
        get => _inner.Position - _start;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _inner.Position = _start + value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return Position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
