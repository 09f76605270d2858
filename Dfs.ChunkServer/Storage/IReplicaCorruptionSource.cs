using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>A store that tells its host when it quarantines a corrupt replica (on a read, a verify or at open).</summary>
/// <remarks>The event is raised on the thread that found the corruption, after the replica is no longer listed.</remarks>
public interface IReplicaCorruptionSource
{
    event EventHandler<ReplicaCorruptedEventArgs>? ReplicaCorrupted;
}
