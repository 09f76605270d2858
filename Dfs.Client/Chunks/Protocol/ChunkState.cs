namespace Dfs.Client.Chunks.Protocol;

/// <summary>What a server holds of a chunk.</summary>
public enum ChunkState : byte
{
    /// <summary>Nothing.</summary>
    Absent = 0,

    /// <summary>An unfinished write, with this many durable bytes.</summary>
    Pending = 1,

    /// <summary>A committed replica.</summary>
    Committed = 2,
}
