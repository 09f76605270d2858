using Dfs.Common.Configuration;

namespace Dfs.Raft.Master.Membership;

/// <summary>
/// Changes which masters form the Raft group, one at a time, whichever consensus backend runs it: the seam
/// <see cref="MasterMembershipService"/> drives on the leader.
/// </summary>
public interface IMasterMembership
{
    /// <summary>This master's id.</summary>
    string SelfId { get; }

    /// <summary>The group as this master knows it: voters, and members that receive the log without voting yet.</summary>
    MasterGroup Group { get; }

    /// <summary>The leader this master knows of, or null.</summary>
    string? LeaderId { get; }

    /// <summary>Adds <paramref name="master"/>, whose address every member already knows (<see cref="LearnAddresses"/>): it catches up, then votes.</summary>
    /// <exception cref="Consensus.Hosting.NotLeaderException">This master is not the leader.</exception>
    /// <exception cref="Client.Master.Protocol.MasterException">The new member did not catch up, or the change was not committed.</exception>
    Task AddMemberAsync(MasterNodeConfig master, CancellationToken cancellationToken);

    /// <summary>Removes member <paramref name="id"/>; a leader that removes itself steps down once the change commits.</summary>
    /// <exception cref="Consensus.Hosting.NotLeaderException">This master is not the leader.</exception>
    /// <exception cref="Client.Master.Protocol.MasterException">The change was not committed.</exception>
    Task RemoveMemberAsync(string id, CancellationToken cancellationToken);

    /// <summary>Makes the transport able to reach every master of <paramref name="masters"/> (added or moved ones included); never forgets one.</summary>
    void LearnAddresses(IReadOnlyList<MasterNodeConfig> masters);
}

/// <summary>The members of the masters' group by id.</summary>
/// <param name="Voters">Members that vote and count toward commits.</param>
/// <param name="Learners">Members that receive the log but do not vote yet (catching up after an add).</param>
public sealed record MasterGroup(IReadOnlyList<string> Voters, IReadOnlyList<string> Learners)
{
    public bool Contains(string id) => Voters.Contains(id) || Learners.Contains(id);
}
