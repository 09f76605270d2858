namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// A snapshot store's latest snapshot as one reference, so <c>Latest</c> can be read by the event loop while
/// another thread saves a new snapshot (a nullable tuple could be read half-written).
/// </summary>
internal sealed record StoredSnapshot(SnapshotMetadata Metadata, SnapshotPayload Payload)
{
    public (SnapshotMetadata Metadata, SnapshotPayload Payload) AsTuple() => (Metadata, Payload);
}
