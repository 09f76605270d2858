using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>Committed replicas described as files, for short-circuit reads on this machine.</summary>
public sealed partial class FileChunkStore
{
    public LocalReplica DescribeLocal(ChunkId id, long minimumVersion)
    {
        Replica? replica;
        lock (_gate)
        {
            _replicas.TryGetValue(id, out replica);
        }
        if (replica is null)
        {
            throw ChunkLayout.NotFound(id);
        }
        ChunkLayout.CheckVersion(replica.Meta.Info, minimumVersion);
        return new LocalReplica(replica.Meta.Info, replica.DataPath, replica.Meta.BlockCrcs);
    }
}
