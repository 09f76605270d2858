using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>A replica failed verification and was quarantined: the server reports it so the master re-replicates.</summary>
public sealed class ReplicaCorruptedEventArgs(ChunkInfo chunk, string reason) : EventArgs
{
    /// <summary>The replica as it was listed before it was quarantined.</summary>
    public ChunkInfo Chunk { get; } = chunk;

    /// <summary>What failed, for logs and the report to the master.</summary>
    public string Reason { get; } = reason;
}
