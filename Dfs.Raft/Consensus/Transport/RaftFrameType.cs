namespace Dfs.Raft.Consensus.Transport;

/// <summary>Frame types on a Raft connection, one per message kind, plus the chunks of a snapshot's payload.</summary>
public static class RaftFrameType
{
    public const ushort RequestVote = 0x0101;
    public const ushort RequestVoteResponse = 0x0102;
    public const ushort AppendEntries = 0x0103;
    public const ushort AppendEntriesResponse = 0x0104;

    /// <summary>An InstallSnapshot message without its payload: the payload length follows the metadata, and the bytes follow in <see cref="SnapshotChunk"/> frames with the same request id.</summary>
    public const ushort InstallSnapshot = 0x0105;
    public const ushort InstallSnapshotResponse = 0x0106;
    public const ushort TimeoutNow = 0x0107;

    /// <summary>Raw bytes of the snapshot payload announced by the last <see cref="InstallSnapshot"/> frame with the same request id.</summary>
    public const ushort SnapshotChunk = 0x0108;
}
