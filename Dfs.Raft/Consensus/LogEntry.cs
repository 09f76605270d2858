namespace Dfs.Raft.Consensus;

/// <summary>What a log entry carries.</summary>
public enum EntryKind : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends so it can commit entries of its term (Raft §5.4.2, thesis §6.4).</summary>
    NoOp = 1,

    /// <summary>A new cluster configuration (<see cref="ClusterConfiguration"/> encoded); in force from the moment it is appended.</summary>
    Configuration = 2,
}

/// <summary>One entry of the replicated log.</summary>
/// <param name="Term">The leader's term when the entry was created.</param>
/// <param name="Index">Position in the log, from 1.</param>
/// <param name="Kind">What the payload is.</param>
/// <param name="Payload">The command bytes, or the encoded configuration; empty for a no-op.</param>
public sealed record LogEntry(long Term, long Index, EntryKind Kind, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Bytes this entry takes on the wire and in memory, roughly: used for batch and flow-control limits.</summary>
    public int Size => Payload.Length + 24;
}
