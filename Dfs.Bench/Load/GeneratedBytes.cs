using System.Net;

namespace Dfs.Bench.Load;

/// <summary>
/// Bytes of any length made from one random block repeated (the block's length is not a power of two, so no chunk or
/// packet repeats another's content at the same offset); nothing of the content's size is ever held in memory.
/// </summary>
internal sealed class GeneratedBytes
{
    private readonly byte[] _block;

    public GeneratedBytes(int seed, int blockBytes = 1024 * 1024 + 4093)
    {
        _block = new byte[blockBytes];
        new Random(seed).NextBytes(_block);
    }

    /// <summary>Up to <paramref name="max"/> bytes of the content at <paramref name="position"/>, straight from the block.</summary>
    public ReadOnlyMemory<byte> At(long position, int max)
    {
        var start = (int)(position % _block.Length);
        return _block.AsMemory(start, Math.Min(max, _block.Length - start));
    }

    /// <summary>A forward-only stream of bytes [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    public Stream Stream(long start, long length) => new GeneratedStream(this, start, length);

    /// <summary>An HTTP body of <paramref name="length"/> bytes with its Content-Length, written in <paramref name="writeBytes"/> pieces.</summary>
    public HttpContent Content(long length, int writeBytes) => new GeneratedContent(this, length, writeBytes);

    private sealed class GeneratedContent(GeneratedBytes bytes, long length, int writeBytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            for (long written = 0; written < length;)
            {
                var piece = bytes.At(written, (int)Math.Min(writeBytes, length - written));
                await stream.WriteAsync(piece, cancellationToken);
                written += piece.Length;
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }

    private sealed class GeneratedStream(GeneratedBytes bytes, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var filled = 0;
            while (filled < buffer.Length && _position < length)
            {
                var piece = bytes.At(start + _position, (int)Math.Min(buffer.Length - filled, length - _position));
                piece.Span.CopyTo(buffer[filled..]);
                filled += piece.Length;
                _position += piece.Length;
            }
            return filled;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
