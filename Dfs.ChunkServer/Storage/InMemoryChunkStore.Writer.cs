using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Storage;

public sealed partial class InMemoryChunkStore
{
    private sealed class Writer(InMemoryChunkStore store, PendingWrite pending) : IChunkWriter
    {
        private bool _failed;
        private bool _done;

        public ChunkId Id => pending.Id;

        public long Version { get; } = pending.Version;

        public long Length
        {
            get
            {
                lock (store._gate)
                {
                    return pending.Length;
                }
            }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (store._gate)
            {
                CheckOwnedLocked();
                if (store._capacityBytes != 0 && store._usedBytes + data.Length > store._capacityBytes)
                {
                    _failed = true;
                    throw new ChunkStoreException(
                        ChunkError.DiskFull,
                        $"Writing {data.Length} more bytes of chunk {Id} would exceed the store's capacity of {store._capacityBytes} bytes ({store._usedBytes} used).");
                }
                var needed = pending.Length + data.Length;
                if (needed > pending.Buffer.Length)
                {
                    var grown = new byte[Math.Max(needed, Math.Max(ChunkLayout.BlockSize, pending.Buffer.Length * 2))];
                    pending.Buffer.AsSpan(0, pending.Length).CopyTo(grown);
                    pending.Buffer = grown;
                }
                data.Span.CopyTo(pending.Buffer.AsSpan(pending.Length));
                pending.Length = needed;
                store._usedBytes += data.Length;
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (store._gate)
            {
                CheckOwnedLocked();
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<ChunkInfo> CommitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (store._gate)
            {
                CheckOwnedLocked();
                if (store._replicas.TryGetValue(Id, out var existing) && existing.Info.Version >= Version)
                {
                    throw new ChunkStoreException(
                        ChunkError.AlreadyExists,
                        $"Chunk {Id} was committed at version {existing.Info.Version} meanwhile; version {Version} is not committed.");
                }
                var data = pending.Buffer.AsSpan(0, pending.Length).ToArray();
                var info = new ChunkInfo(Id, Version, data.Length, Crc32C.Compute(data));
                if (existing is not null)
                {
                    store._usedBytes -= existing.Info.Length;
                }
                store._replicas[Id] = new Replica(info, data, ChunkLayout.BlockChecksums(data));
                store._changes.Note(Id);
                store._pending.Remove(Id);
                pending.Owner = null;
                _done = true;
                return ValueTask.FromResult(info);
            }
        }

        public ValueTask DisposeAsync()
        {
            lock (store._gate)
            {
                if (!_done && ReferenceEquals(pending.Owner, this))
                {
                    if (_failed)
                    {
                        store.DiscardPendingLocked(pending);
                    }
                    else
                    {
                        // An abandoned write stays pending so a pipeline recovery can resume it.
                        pending.Owner = null;
                    }
                }
                _done = true;
            }
            return ValueTask.CompletedTask;
        }

        private void CheckOwnedLocked()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_failed)
            {
                throw new ChunkStoreException(ChunkError.DiskFull, $"The write of chunk {Id} failed for lack of space; dispose the writer.");
            }
            if (!ReferenceEquals(pending.Owner, this) || pending.Discarded)
            {
                throw ChunkLayout.Superseded(Id);
            }
        }
    }
}
