using Dfs.Client.Chunks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// Wraps a store and injects the faults disks and processes produce, for tests of the layers above: running
/// out of space mid-write, bit flips in bytes read, failing I/O, and a crash that abandons writes in progress.
/// </summary>
/// <remarks>
/// Faults are armed by the test and apply to calls made after arming; safe for concurrent use. Catalogue
/// queries (<see cref="TryGet"/>, <see cref="List"/>, <see cref="GetUsage"/>) are never failed: they touch no disk.
/// </remarks>
public sealed class FaultInjectingChunkStore : IChunkStore, IReplicaCorruptionSource
{
    private readonly IChunkStore _inner;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly HashSet<FaultyWriter> _openWriters = [];
    private long? _bytesBeforeDiskFull;
    private int _readsToCorrupt;
    private int _operationsToFail;

    public FaultInjectingChunkStore(IChunkStore inner, ILogger<FaultInjectingChunkStore>? logger = null)
    {
        _inner = inner;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised when the wrapped store quarantines a replica (if it reports that).</summary>
    public event EventHandler<ReplicaCorruptedEventArgs>? ReplicaCorrupted
    {
        add
        {
            if (_inner is IReplicaCorruptionSource source)
            {
                source.ReplicaCorrupted += value;
            }
        }
        remove
        {
            if (_inner is IReplicaCorruptionSource source)
            {
                source.ReplicaCorrupted -= value;
            }
        }
    }

    public IChunkStore Inner => _inner;

    /// <summary>Writes through this store fail with DiskFull once <paramref name="bytes"/> more bytes have been written; the write that would cross the limit writes nothing.</summary>
    public void FailWritesAfter(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            _bytesBeforeDiskFull = bytes;
        }
    }

    /// <summary>Flips one bit in the bytes returned by each of the next <paramref name="reads"/> reads that return data.</summary>
    public void CorruptReads(int reads = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reads);
        lock (_gate)
        {
            _readsToCorrupt = reads;
        }
    }

    /// <summary>The next <paramref name="operations"/> disk operations (begin, resume, open, verify, delete, write, flush, commit, read) throw an <see cref="IOException"/>.</summary>
    public void FailNextOperations(int operations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operations);
        lock (_gate)
        {
            _operationsToFail = operations;
        }
    }

    /// <summary>
    /// As if the process died: every writer opened through this store and not yet committed is abandoned (its
    /// inner writer disposed without commit, so the write stays pending) and fails every later call.
    /// </summary>
    public async ValueTask SimulateCrashAsync()
    {
        FaultyWriter[] writers;
        lock (_gate)
        {
            writers = [.. _openWriters];
            _openWriters.Clear();
        }
        Log.FaultInjected(_logger, $"crash: {writers.Length} writes in progress abandoned");
        foreach (var writer in writers)
        {
            await writer.CrashAsync();
        }
    }

    /// <summary>Disarms every fault.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _bytesBeforeDiskFull = null;
            _readsToCorrupt = 0;
            _operationsToFail = 0;
        }
    }

    public IChunkWriter BeginWrite(ChunkId id, long version)
    {
        MaybeFail(nameof(BeginWrite));
        return Track(new FaultyWriter(this, _inner.BeginWrite(id, version)));
    }

    public IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset)
    {
        MaybeFail(nameof(ResumeWrite));
        return Track(new FaultyWriter(this, _inner.ResumeWrite(id, newVersion, offset)));
    }

    public ChunkInfo? TryGet(ChunkId id) => _inner.TryGet(id);

    public IReadOnlyList<ChunkInfo> List() => _inner.List();

    public long ChangeSequence => _inner.ChangeSequence;

    public ReplicaChanges? ChangesSince(long since) => _inner.ChangesSince(since);

    public IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length)
    {
        MaybeFail(nameof(OpenRead));
        return new FaultyReader(this, _inner.OpenRead(id, minimumVersion, offset, length));
    }

    public ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken)
    {
        MaybeFail(nameof(VerifyAsync));
        return _inner.VerifyAsync(id, cancellationToken);
    }

    public void Delete(ChunkId id)
    {
        MaybeFail(nameof(Delete));
        _inner.Delete(id);
    }

    public StoreUsage GetUsage() => _inner.GetUsage();

    private FaultyWriter Track(FaultyWriter writer)
    {
        lock (_gate)
        {
            _openWriters.Add(writer);
        }
        return writer;
    }

    private void Untrack(FaultyWriter writer)
    {
        lock (_gate)
        {
            _openWriters.Remove(writer);
        }
    }

    private void MaybeFail(string operation)
    {
        lock (_gate)
        {
            if (_operationsToFail == 0)
            {
                return;
            }
            _operationsToFail--;
        }
        Log.FaultInjected(_logger, $"I/O error in {operation}");
        throw new IOException($"Injected I/O error in {operation}.");
    }

    private void ChargeWrite(ChunkId id, int bytes)
    {
        lock (_gate)
        {
            if (_bytesBeforeDiskFull is not { } left)
            {
                return;
            }
            if (bytes > left)
            {
                Log.FaultInjected(_logger, $"disk full writing chunk {id}");
                throw new ChunkStoreException(ChunkError.DiskFull, $"Injected disk full: chunk {id} cannot take {bytes} more bytes ({left} left).");
            }
            _bytesBeforeDiskFull = left - bytes;
        }
    }

    private bool TakeReadCorruption()
    {
        lock (_gate)
        {
            if (_readsToCorrupt == 0)
            {
                return false;
            }
            _readsToCorrupt--;
            return true;
        }
    }

    private sealed class FaultyWriter(FaultInjectingChunkStore store, IChunkWriter inner) : IChunkWriter
    {
        private volatile bool _crashed;

        public ChunkId Id => inner.Id;

        public long Version => inner.Version;

        public long Length => inner.Length;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            CheckAlive();
            store.MaybeFail(nameof(WriteAsync));
            store.ChargeWrite(Id, data.Length);
            return inner.WriteAsync(data, cancellationToken);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            CheckAlive();
            store.MaybeFail(nameof(FlushAsync));
            return inner.FlushAsync(cancellationToken);
        }

        public async ValueTask<ChunkInfo> CommitAsync(CancellationToken cancellationToken)
        {
            CheckAlive();
            store.MaybeFail(nameof(CommitAsync));
            var info = await inner.CommitAsync(cancellationToken);
            store.Untrack(this);
            return info;
        }

        public ValueTask DisposeAsync()
        {
            store.Untrack(this);
            return _crashed ? ValueTask.CompletedTask : inner.DisposeAsync();
        }

        public ValueTask CrashAsync()
        {
            _crashed = true;
            return inner.DisposeAsync();
        }

        private void CheckAlive()
        {
            if (_crashed)
            {
                throw new IOException($"The writer of chunk {Id} was lost in a simulated crash.");
            }
        }
    }

    private sealed class FaultyReader(FaultInjectingChunkStore store, IChunkReader inner) : IChunkReader
    {
        public ChunkInfo Chunk => inner.Chunk;

        public long Remaining => inner.Remaining;

        public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            store.MaybeFail(nameof(ReadAsync));
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0 && store.TakeReadCorruption())
            {
                buffer.Span[read / 2] ^= 0x04;
            }
            return read;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
