namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// Where a node keeps its latest snapshot. A snapshot is written to a temporary place, made durable, and
/// then becomes the latest atomically, so a crash mid-write leaves the previous one in force.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The latest durable snapshot, or null if none was ever taken.</summary>
    (SnapshotMetadata Metadata, SnapshotPayload Payload)? Latest { get; }

    /// <summary>
    /// Writes a snapshot through <paramref name="write"/>, makes it durable and the latest, and drops older
    /// ones that no reader holds.
    /// </summary>
    SnapshotPayload Save(SnapshotMetadata metadata, Action<Stream> write);
}
