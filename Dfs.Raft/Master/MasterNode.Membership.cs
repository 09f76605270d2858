using System.Net;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master.Membership;

namespace Dfs.Raft.Master;

public sealed partial class MasterNode
{
    /// <inheritdoc />
    public string SelfId => host.Status.Id;

    /// <inheritdoc />
    public MasterGroup Group => new(host.Status.Members.Voters, host.Status.Members.Learners);

    /// <inheritdoc />
    public string? LeaderId => host.Status.LeaderId;

    /// <inheritdoc />
    /// <remarks>Our engine's single-server change: a learner first, promoted once within <see cref="Consensus.RaftNode.PromotionMaxLag"/> entries of the leader.</remarks>
    public async Task AddMemberAsync(MasterNodeConfig master, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(master);
        try
        {
            await host.AddMemberAsync(master.Id, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new MasterException(MasterErrorCode.Unavailable, e.Message);
        }
    }

    /// <inheritdoc />
    public Task RemoveMemberAsync(string id, CancellationToken cancellationToken) => host.RemoveMemberAsync(id, cancellationToken);

    /// <inheritdoc />
    public void LearnAddresses(IReadOnlyList<MasterNodeConfig> masters)
    {
        ArgumentNullException.ThrowIfNull(masters);
        foreach (var master in masters)
        {
            transport.SetPeer(master.Id, new DnsEndPoint(master.Host, master.RaftPort));
        }
    }
}
