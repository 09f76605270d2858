namespace Dfs.Raft.ChunkServers;

/// <summary>One chunk as one master knows it: its newest version and who holds which version. Guarded by the directory's lock.</summary>
internal sealed class ChunkState(ulong id)
{
    public ulong Id { get; } = id;

    /// <summary>The newest version known: the highest of what writes recorded and what servers reported.</summary>
    public long Version { get; set; }

    /// <summary>Server id → the version it holds.</summary>
    public Dictionary<string, long> Holders { get; } = [];

    /// <summary>
    /// Writers of a version not yet reported by them, with the timestamp until which they are trusted without a report:
    /// reads are sent to them and they count toward the replication factor, but never as holders for deletion.
    /// </summary>
    public Dictionary<string, (long Version, long Until)>? Expected { get; set; }

    /// <summary>Servers not to copy this chunk onto until the given timestamp (a copy there timed out, or its replica was corrupt).</summary>
    public Dictionary<string, long>? Avoid { get; set; }

    /// <summary>
    /// Surplus replicas ordered deleted, with the timestamp until which the order stands: they no longer count, and no other
    /// is trimmed while they are reported. Dropped when the holder reports the deletion or the time passes.
    /// </summary>
    public Dictionary<string, long>? Trimming { get; set; }

    /// <summary>Copies of it in flight.</summary>
    public int Copies { get; set; }
}
