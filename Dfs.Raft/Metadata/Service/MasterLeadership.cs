using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master;

namespace Dfs.Raft.Metadata.Service;

/// <summary>Leadership as a master's Raft status reports it.</summary>
public sealed class MasterLeadership(IMasterKv master) : IMetadataLeadership
{
    public bool IsLeader => master.Status.Role == nameof(Consensus.RaftRole.Leader);

    public void ThrowIfNotLeader()
    {
        var status = master.Status;
        if (status.Role != nameof(Consensus.RaftRole.Leader))
        {
            throw new NotLeaderException(status.Id, status.LeaderId);
        }
    }
}
