namespace Dfs.Client.Chunks.Protocol;

/// <summary>The frame types of the chunk protocol (the <c>Type</c> of a <see cref="Dfs.Common.Framing.FrameHeader"/>).</summary>
/// <remarks>
/// A connection carries one conversation at a time: a write pipeline (WriteBlock, Data…, Commit), a read
/// (Read → ReadHeader, Data…, ReadEnd), or a series of single requests (Status, CopyFrom, Delete, Report).
/// Any request can be answered by <see cref="Error"/>.
/// </remarks>
public enum ChunkFrameType : ushort
{
    /// <summary>A failure: <see cref="ErrorMessage"/>.</summary>
    Error = 1,

    /// <summary>Sets up (or resumes) a write pipeline: <see cref="WriteBlockRequest"/>; answered by an <see cref="Ack"/> of the start offset once the whole chain is set up.</summary>
    WriteBlock = 10,

    /// <summary>One packet of chunk bytes with its offset and CRC-32C(offset i64, CRC-32C u32, bytes; see <see cref="ChunkWire.SendData(Dfs.Common.Framing.FrameConnection, ulong, long, ReadOnlySpan{byte}, uint)"/>). Carries write data downstream and read data back.</summary>
    Data = 11,

    /// <summary>The highest contiguous offset durable on the sender and everything downstream of it: <see cref="AckMessage"/>.</summary>
    Ack = 12,

    /// <summary>Ends a write: final length and whole-chunk checksum (<see cref="CommitRequest"/>); answered by <see cref="Committed"/>.</summary>
    Commit = 13,

    /// <summary>Every replica from the sender down committed: <see cref="ChunkInfoMessage"/>.</summary>
    Committed = 14,

    /// <summary>Reads a range of a committed replica: <see cref="ReadRequest"/>; answered by ReadHeader, Data…, ReadEnd.</summary>
    Read = 20,

    /// <summary>The replica being read: <see cref="ChunkInfoMessage"/>.</summary>
    ReadHeader = 21,

    /// <summary>The range was sent in full.</summary>
    ReadEnd = 22,

    /// <summary>
    /// Asks for a short-circuit local read: <see cref="OpenLocalRequest"/> → <see cref="LocalReplica"/>. Granted only
    /// to a caller on the same machine (a loopback connection) by a server whose store keeps replicas as files;
    /// otherwise refused with <see cref="ChunkErrorCode.LocalReadRefused"/>.
    /// </summary>
    OpenLocal = 23,

    /// <summary>Where the replica's data file is and its block checksums: <see cref="LocalReplicaMessage"/>.</summary>
    LocalReplica = 24,

    /// <summary>Asks about a chunk's write in progress or committed replica: <see cref="StatusRequest"/> → <see cref="StatusReply"/>.</summary>
    Status = 30,

    /// <summary>What the server holds of a chunk.</summary>
    StatusReply = 31,

    /// <summary>Fetch a chunk from a peer (re-replication): <see cref="CopyFromRequest"/> → <see cref="Committed"/>.</summary>
    CopyFrom = 40,

    /// <summary>Delete chunks (garbage collection): <see cref="DeleteRequest"/> → <see cref="DeleteDone"/>.</summary>
    Delete = 50,

    /// <summary>How many of the listed chunks were deleted (u32).</summary>
    DeleteDone = 51,

    /// <summary>Asks for the full list of held chunks and the space used.</summary>
    Report = 60,

    /// <summary>One page of the report: <see cref="ReportPage"/>; pages after the first carry only chunks, the last has <see cref="ChunkFrameFlags.Last"/>.</summary>
    ReportReply = 61,
}

/// <summary>Flags on chunk protocol frames.</summary>
[Flags]
public enum ChunkFrameFlags : ushort
{
    None = 0,

    /// <summary>The last frame of a multi-frame reply.</summary>
    Last = 1,
}
