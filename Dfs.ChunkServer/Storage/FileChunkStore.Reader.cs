using System.Buffers;
using Dfs.Client.Chunks;
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

        public ValueTask<VerifiedRead> ReadVerifiedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_block is null, this);
            if (_position >= _end || buffer.IsEmpty)
            {
                return ValueTask.FromResult(new VerifiedRead(0, Crc32C.Compute([])));
            }
            var block = (int)(_position / ChunkLayout.BlockSize);
            var length = ChunkLayout.BlockLength(_replica.Meta.Length, block);
            var blockStart = (long)block * ChunkLayout.BlockSize;
            if (_position == blockStart && buffer.Length >= length && _end >= blockStart + length)
            {
                // A whole block wanted: read it straight into the caller's buffer and check it there, so its
                // bytes are copied once and its stored CRC is the CRC of what is returned.
                var span = buffer.Span[..length];
                var read = FileReads.ReadFully(_handle, span, blockStart);
                var crc = read == length ? Crc32C.Compute(span) : 0;
                if (read != length || crc != _replica.Meta.BlockCrcs[block])
                {
                    FailBlock(block, read, length);
                }
                _position += length;
                return ValueTask.FromResult(new VerifiedRead(length, crc));
            }
            // Part of a block: through the block buffer, and never past the block's end.
            var bytes = LoadBlock(block);
            var inBlock = (int)(_position - blockStart);
            var count = (int)Math.Min(Math.Min(buffer.Length, bytes.Length - inBlock), _end - _position);
            var part = bytes.Slice(inBlock, count);
            part.CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(new VerifiedRead(count, Crc32C.Compute(part)));
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

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private void FailBlock(int block, int read, int length)
        {
            var reason = read != length
                ? $"block {block} is cut short: {read} of {length} bytes on disk"
                : $"block {block} failed its CRC-32C check";
            _store.Quarantine(_replica, reason);
            throw ChunkLayout.CorruptBlock(_replica.Meta.Info, block);
        }

        private ReadOnlySpan<byte> LoadBlock(int block)
        {
            ObjectDisposedException.ThrowIf(_block is null, this);
            var length = ChunkLayout.BlockLength(_replica.Meta.Length, block);
            if (_loadedBlock != block)
            {
                _loadedBlock = -1;
                var span = _block.AsSpan(0, length);
                var read = FileReads.ReadFully(_handle, span, (long)block * ChunkLayout.BlockSize);
                if (read != length || Crc32C.Compute(span) != _replica.Meta.BlockCrcs[block])
                {
                    FailBlock(block, read, length);
                }
                _loadedBlock = block;
            }
            return _block.AsSpan(0, length);
        }
    }
}
