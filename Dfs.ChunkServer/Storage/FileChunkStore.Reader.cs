using System.Buffers;
using Dfs.Common.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Dfs.ChunkServer.Storage;

public sealed partial class FileChunkStore
{
    /// <summary>Reads whole blocks into a pooled buffer and hands out bytes only of blocks that passed their check.</summary>
    private sealed class Reader : IChunkReader
    {
        private readonly FileChunkStore _store;
        private readonly Replica _replica;
        private readonly SafeFileHandle _handle;
        private readonly long _end;
        private byte[]? _block;
        private int _loadedBlock = -1;
        private long _position;

        public Reader(FileChunkStore store, Replica replica, SafeFileHandle handle, long offset, long length)
        {
            _store = store;
            _replica = replica;
            _handle = handle;
            _position = offset;
            _end = offset + length;
            _block = ArrayPool<byte>.Shared.Rent(ChunkLayout.BlockSize);
        }

        public ChunkInfo Chunk => _replica.Meta.Info;

        public long Remaining => _end - _position;

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copied = 0;
            while (copied < buffer.Length && _position < _end)
            {
                var block = (int)(_position / ChunkLayout.BlockSize);
                var bytes = LoadBlock(block);
                var inBlock = (int)(_position - ((long)block * ChunkLayout.BlockSize));
                var count = (int)Math.Min(Math.Min(buffer.Length - copied, bytes.Length - inBlock), _end - _position);
                bytes.Slice(inBlock, count).CopyTo(buffer.Span[copied..]);
                copied += count;
                _position += count;
            }
            return ValueTask.FromResult(copied);
        }

        /// <summary>Checks every block and the whole-chunk CRC; Corrupt (after quarantine) on the first failure.</summary>
        public ValueTask<bool> VerifyAllAsync(CancellationToken cancellationToken)
        {
            var whole = uint.MaxValue;
            for (var block = 0; block < _replica.Meta.BlockCrcs.Length; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                whole = Crc32C.Append(whole, LoadBlock(block));
            }
            if (~whole != _replica.Meta.Checksum)
            {
                _store.Quarantine(_replica, "the whole-chunk CRC-32C does not match the meta although every block does");
                return ValueTask.FromResult(false);
            }
            return ValueTask.FromResult(true);
        }

        public ValueTask DisposeAsync()
        {
            _handle.Dispose();
            if (_block is not null)
            {
                ArrayPool<byte>.Shared.Return(_block);
                _block = null;
            }
            return ValueTask.CompletedTask;
        }

        private ReadOnlySpan<byte> LoadBlock(int block)
        {
            ObjectDisposedException.ThrowIf(_block is null, this);
            var length = ChunkLayout.BlockLength(_replica.Meta.Length, block);
            if (_loadedBlock != block)
            {
                _loadedBlock = -1;
                var span = _block.AsSpan(0, length);
                var read = ReadFully(_handle, span, (long)block * ChunkLayout.BlockSize);
                if (read != length || Crc32C.Compute(span) != _replica.Meta.BlockCrcs[block])
                {
                    var reason = read != length
                        ? $"block {block} is cut short: {read} of {length} bytes on disk"
                        : $"block {block} failed its CRC-32C check";
                    _store.Quarantine(_replica, reason);
                    throw ChunkLayout.CorruptBlock(_replica.Meta.Info, block);
                }
                _loadedBlock = block;
            }
            return _block.AsSpan(0, length);
        }
    }
}
