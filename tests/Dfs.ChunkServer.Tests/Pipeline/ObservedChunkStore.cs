using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>
/// Passes every call to a real store, signals when the first bytes of a write arrive, and can hold local
/// writes back until a gate opens (to show a node forwards before it writes).
/// </summary>
internal sealed class ObservedChunkStore(IChunkStore inner) : IChunkStore
{
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a writer of this store receives its first bytes.</summary>
    public Task FirstWrite => _firstWrite.Task;

    /// <summary>Local writes wait for this before reaching the inner store.</summary>
    public Task WriteGate { get; set; } = Task.CompletedTask;

    /// <summary>When set, commits fail with this (a disk failing at the last moment).</summary>
    public Exception? CommitFault { get; set; }

    public IChunkWriter BeginWrite(ChunkId id, long version) => new Writer(this, inner.BeginWrite(id, version));

    public IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset) => new Writer(this, inner.ResumeWrite(id, newVersion, offset));

    public ChunkInfo? TryGet(ChunkId id) => inner.TryGet(id);

    public IReadOnlyList<ChunkInfo> List() => inner.List();

    public long ChangeSequence => inner.ChangeSequence;

    public ReplicaChanges? ChangesSince(long since) => inner.ChangesSince(since);

    public IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length) => inner.OpenRead(id, minimumVersion, offset, length);

    public ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken) => inner.VerifyAsync(id, cancellationToken);

    public void Delete(ChunkId id) => inner.Delete(id);

    public StoreUsage GetUsage() => inner.GetUsage();

    private sealed class Writer(ObservedChunkStore store, IChunkWriter inner) : IChunkWriter
    {
        public ChunkId Id => inner.Id;

        public long Version => inner.Version;

        public long Length => inner.Length;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            store._firstWrite.TrySetResult();
            await store.WriteGate.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            await inner.WriteAsync(data, cancellationToken);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ValueTask<ChunkInfo> CommitAsync(CancellationToken cancellationToken) =>
            store.CommitFault is { } fault ? ValueTask.FromException<ChunkInfo>(fault) : inner.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
