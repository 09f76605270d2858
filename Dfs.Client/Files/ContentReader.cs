using Dfs.Common.Hashing;

namespace Dfs.Client.Files;

/// <summary>
/// Reads an upload's content once, keeping the CRC-32C and length of everything read, and hands it out one chunk
/// at a time as a <see cref="ChunkSlice"/> stream that ends at the chunk size.
/// </summary>
/// <remarks>
/// One byte is read ahead to tell whether another chunk follows, so an empty content makes no chunk. Bytes the caller
/// already read from the source (<c>prefix</c>, e.g. while deciding whether the file is small enough to keep inline) are
/// handed out first, as if read again; the caller keeps the prefix's memory alive until the reader is done.
/// </remarks>
internal sealed class ContentReader(Stream source, ReadOnlyMemory<byte> prefix = default)
{
    private readonly byte[] _peek = new byte[1];
    private ReadOnlyMemory<byte> _prefix = prefix;
    private bool _hasPeek;
    private bool _ended;
    private uint _crcState = uint.MaxValue;

    /// <summary>Bytes handed out so far.</summary>
    public long Length { get; private set; }

    /// <summary>CRC-32C of the bytes handed out so far.</summary>
    public uint Checksum => ~_crcState;

    /// <summary>True when at least one more byte follows.</summary>
    public async ValueTask<bool> HasMoreAsync(CancellationToken cancellationToken)
    {
        if (_hasPeek || !_prefix.IsEmpty)
        {
            return true;
        }
        if (_ended)
        {
            return false;
        }
        var read = await source.ReadAsync(_peek, cancellationToken);
        _hasPeek = read == 1;
        _ended = read == 0;
        return _hasPeek;
    }

    /// <summary>A stream over the next <paramref name="limit"/> bytes at most.</summary>
    /// <param name="onFull">Called once if the slice reaches its limit (so the next chunk can be prepared).</param>
    public ChunkSlice NextChunk(long limit, Action? onFull) => new(this, limit, onFull);

    private async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        int read;
        if (!_prefix.IsEmpty)
        {
            read = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..read].CopyTo(buffer.Span);
            _prefix = _prefix[read..];
        }
        else if (_hasPeek)
        {
            buffer.Span[0] = _peek[0];
            _hasPeek = false;
            read = 1;
        }
        else
        {
            read = _ended ? 0 : await source.ReadAsync(buffer, cancellationToken);
            _ended = read == 0;
        }
        _crcState = Crc32C.Append(_crcState, buffer.Span[..read]);
        Length += read;
        return read;
    }

    /// <summary>One chunk's bytes of the content, as a read-only forward stream.</summary>
    internal sealed class ChunkSlice(ContentReader content, long limit, Action? onFull) : Stream
    {
        /// <summary>Bytes this slice has handed to its reader.</summary>
        public long Consumed { get; private set; }

        /// <summary>The slice reached its limit: the chunk is full.</summary>
        public bool Full => Consumed == limit;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Consumed; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var room = (int)Math.Min(buffer.Length, limit - Consumed);
            if (room == 0)
            {
                return 0;
            }
            var read = await content.ReadAsync(buffer[..room], cancellationToken);
            Consumed += read;
            if (read > 0 && Full)
            {
                onFull?.Invoke();
            }
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The content is read asynchronously.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
