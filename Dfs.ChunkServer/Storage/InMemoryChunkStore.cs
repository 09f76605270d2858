using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// An <see cref="IChunkStore"/> held in memory, with the same rules as the file store (versions, pending versus
/// committed, resume, per-block checks, capacity): for unit tests of the layers above.
/// </summary>
/// <remarks>Every state change happens under one lock; byte copies of reads happen outside it.</remarks>
public sealed partial class InMemoryChunkStore : IChunkStore, IReplicaCorruptionSource
{
    private readonly object _gate = new();
    private readonly Dictionary<ChunkId, Replica> _replicas = [];
    private readonly ReplicaChangeLog _changes = new();
    private readonly Dictionary<ChunkId, PendingWrite> _pending = [];
    private readonly long _capacityBytes;
    private long _usedBytes;

    /// <param name="capacityBytes">Bytes the store may hold (committed plus pending); 0 means unlimited.</param>
    public InMemoryChunkStore(long capacityBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _capacityBytes = capacityBytes;
    }

    public event EventHandler<ReplicaCorruptedEventArgs>? ReplicaCorrupted;

    public IChunkWriter BeginWrite(ChunkId id, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        lock (_gate)
        {
            if (_replicas.TryGetValue(id, out var existing) && existing.Info.Version >= version)
            {
                throw new ChunkStoreException(
                    ChunkError.AlreadyExists,
                    $"Chunk {id} is already committed at version {existing.Info.Version}; a write at version {version} is refused.");
            }
            if (_pending.TryGetValue(id, out var pending))
            {
                if (pending.Owner is not null)
                {
                    throw new ChunkStoreException(ChunkError.Conflict, $"Chunk {id} is being written by another writer.");
                }
                DiscardPendingLocked(pending);
            }
            var fresh = new PendingWrite(id, version);
            var writer = new Writer(this, fresh);
            fresh.Owner = writer;
            _pending.Add(id, fresh);
            return writer;
        }
    }

    public IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newVersion);
        lock (_gate)
        {
            if (!_pending.TryGetValue(id, out var pending))
            {
                throw new ChunkStoreException(ChunkError.NotFound, $"No write of chunk {id} is pending here to resume.");
            }
            if (_replicas.TryGetValue(id, out var existing) && existing.Info.Version >= newVersion)
            {
                throw new ChunkStoreException(
                    ChunkError.AlreadyExists,
                    $"Chunk {id} is already committed at version {existing.Info.Version}; resuming at version {newVersion} is refused.");
            }
            if (newVersion < pending.Version)
            {
                throw new ChunkStoreException(
                    ChunkError.StaleVersion,
                    $"The pending write of chunk {id} is at version {pending.Version}; resuming at the older version {newVersion} is refused.");
            }
            if (offset < 0 || offset > pending.Length)
            {
                throw new ChunkStoreException(
                    ChunkError.BadRange,
                    $"Cannot resume chunk {id} at offset {offset}: the pending write holds {pending.Length} bytes.");
            }
            _usedBytes -= pending.Length - offset;
            pending.Length = (int)offset;
            pending.Version = newVersion;
            var writer = new Writer(this, pending);
            pending.Owner = writer;
            return writer;
        }
    }

    public ChunkInfo? TryGet(ChunkId id)
    {
        lock (_gate)
        {
            return _replicas.TryGetValue(id, out var replica) ? replica.Info : null;
        }
    }

    public IReadOnlyList<ChunkInfo> List()
    {
        lock (_gate)
        {
            return _replicas.Values.Select(r => r.Info).OrderBy(i => i.Id).ToArray();
        }
    }

    public IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length)
    {
        Replica replica;
        lock (_gate)
        {
            if (!_replicas.TryGetValue(id, out replica!))
            {
                throw ChunkLayout.NotFound(id);
            }
        }
        ChunkLayout.CheckVersion(replica.Info, minimumVersion);
        ChunkLayout.CheckRange(replica.Info, offset, length);
        return new Reader(this, replica, offset, length);
    }

    public ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Replica replica;
        lock (_gate)
        {
            if (!_replicas.TryGetValue(id, out replica!))
            {
                throw ChunkLayout.NotFound(id);
            }
        }
        for (var block = 0; block < replica.BlockCrcs.Length; block++)
        {
            if (!replica.BlockIsIntact(block))
            {
                Quarantine(replica, $"block {block} failed its CRC-32C check during verification");
                return ValueTask.FromResult(false);
            }
        }
        return ValueTask.FromResult(true);
    }

    public void Delete(ChunkId id)
    {
        lock (_gate)
        {
            if (_replicas.Remove(id, out var replica))
            {
                _changes.Note(id);
                _usedBytes -= replica.Info.Length;
            }
            if (_pending.TryGetValue(id, out var pending))
            {
                DiscardPendingLocked(pending);
            }
        }
    }

    public long ChangeSequence => _changes.Sequence;

    public ReplicaChanges? ChangesSince(long since)
    {
        lock (_gate)
        {
            return _changes.ChangesSince(since, id => _replicas.TryGetValue(id, out var r) ? r.Info : null);
        }
    }

    public StoreUsage GetUsage()
    {
        lock (_gate)
        {
            var free = _capacityBytes == 0 ? long.MaxValue : Math.Max(0, _capacityBytes - _usedBytes);
            return new StoreUsage(_usedBytes, free, _replicas.Count);
        }
    }

    /// <summary>Flips one bit of a committed replica's stored bytes, as a failing disk would: for tests of the layers above.</summary>
    public void CorruptStoredByte(ChunkId id, long offset)
    {
        lock (_gate)
        {
            if (!_replicas.TryGetValue(id, out var replica))
            {
                throw ChunkLayout.NotFound(id);
            }
            replica.Data[checked((int)offset)] ^= 0x01;
        }
    }

    private void Quarantine(Replica replica, string reason)
    {
        lock (_gate)
        {
            if (!_replicas.TryGetValue(replica.Info.Id, out var current) || !ReferenceEquals(current, replica))
            {
                return;
            }
            _replicas.Remove(replica.Info.Id);
            _changes.Note(replica.Info.Id);
            _usedBytes -= replica.Info.Length;
        }
        ReplicaCorrupted?.Invoke(this, new ReplicaCorruptedEventArgs(replica.Info, reason));
    }

    private void DiscardPendingLocked(PendingWrite pending)
    {
        _usedBytes -= pending.Length;
        pending.Length = 0;
        pending.Owner = null;
        pending.Discarded = true;
        _pending.Remove(pending.Id);
    }

    private sealed class Replica(ChunkInfo info, byte[] data, uint[] blockCrcs)
    {
        public ChunkInfo Info { get; } = info;

        public byte[] Data { get; } = data;

        public uint[] BlockCrcs { get; } = blockCrcs;

        public bool BlockIsIntact(int block)
        {
            var start = block * ChunkLayout.BlockSize;
            var length = ChunkLayout.BlockLength(Info.Length, block);
            return Crc32C.Compute(Data.AsSpan(start, length)) == BlockCrcs[block];
        }
    }

    private sealed class PendingWrite(ChunkId id, long version)
    {
        public ChunkId Id { get; } = id;

        public long Version { get; set; } = version;

        public byte[] Buffer { get; set; } = [];

        public int Length { get; set; }

        public Writer? Owner { get; set; }

        public bool Discarded { get; set; }
    }
}
