namespace Dfs.Raft.Consensus.Storage;

/// <summary>A snapshot body stored as a byte range of a snapshot file (between its header and trailer).</summary>
public sealed class FileSliceSnapshotPayload(string path, long offset, long length) : SnapshotPayload
{
    /// <summary>The snapshot file.</summary>
    public string Path { get; } = path;

    /// <summary>Where the body starts in the file.</summary>
    public long Offset { get; } = offset;

    public override long Length { get; } = length;

    public override Stream OpenRead()
    {
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        try
        {
            file.Position = Offset;
            return new SliceReadStream(file, Length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most a given number of bytes of an inner stream, then reports its end.</summary>
    private sealed class SliceReadStream(FileStream inner, long length) : Stream
    {
        private readonly long _start = inner.Position;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var allowed = (int)Math.Min(buffer.Length, length - _position);
            if (allowed <= 0)
            {
                return 0;
            }
            var read = inner.Read(buffer[..allowed]);
            _position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var allowed = (int)Math.Min(buffer.Length, length - _position);
            if (allowed <= 0)
            {
                return 0;
            }
            var read = await inner.ReadAsync(buffer[..allowed], cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => length + offset,
            };
            if (target < 0 || target > length)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"Position {target} is outside the snapshot body of {length} bytes.");
            }
            inner.Position = _start + target;
            _position = target;
            return target;
        }

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
