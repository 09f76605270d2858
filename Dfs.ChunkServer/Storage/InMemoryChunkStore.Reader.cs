using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

public sealed partial class InMemoryChunkStore
{
    private sealed class Reader(InMemoryChunkStore store, Replica replica, long offset, long length) : IChunkReader
    {
        private long _position = offset;
        private readonly long _end = offset + length;
        private int _verifiedBlock = -1;

        public ChunkInfo Chunk => replica.Info;

        public long Remaining => _end - _position;

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var copied = 0;
            while (copied < buffer.Length && _position < _end)
            {
                var block = (int)(_position / ChunkLayout.BlockSize);
                if (block != _verifiedBlock)
                {
                    if (!replica.BlockIsIntact(block))
                    {
                        store.Quarantine(replica, $"block {block} failed its CRC-32C check on read");
                        throw ChunkLayout.CorruptBlock(replica.Info, block);
                    }
                    _verifiedBlock = block;
                }
                var blockEnd = Math.Min(_end, ((long)block + 1) * ChunkLayout.BlockSize);
                var count = (int)Math.Min(buffer.Length - copied, blockEnd - _position);
                replica.Data.AsSpan((int)_position, count).CopyTo(buffer.Span[copied..]);
                copied += count;
                _position += count;
            }
            return ValueTask.FromResult(copied);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
