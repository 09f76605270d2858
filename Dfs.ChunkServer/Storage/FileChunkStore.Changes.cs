namespace Dfs.ChunkServer.Storage;

/// <summary>The store's numbered changes to its committed replicas, noted under <c>_gate</c> wherever a replica is committed or removed.</summary>
public sealed partial class FileChunkStore
{
    private readonly ReplicaChangeLog _changes = new();

    public long ChangeSequence => _changes.Sequence;

    public ReplicaChanges? ChangesSince(long since)
    {
        lock (_gate)
        {
            return _changes.ChangesSince(since, id => _replicas.TryGetValue(id, out var r) ? r.Meta.Info : null);
        }
    }
}
