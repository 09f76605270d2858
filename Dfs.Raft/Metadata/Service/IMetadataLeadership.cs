using Dfs.Raft.Consensus.Hosting;

namespace Dfs.Raft.Metadata.Service;

/// <summary>Whether this master leads: the file-system service answers from soft state (the chunk-server directory) only on the leader.</summary>
public interface IMetadataLeadership
{
    /// <summary>True while this master believes it leads.</summary>
    bool IsLeader { get; }

    /// <summary>Throws <see cref="NotLeaderException"/> (naming the leader when known) unless this master leads.</summary>
    void ThrowIfNotLeader();
}
