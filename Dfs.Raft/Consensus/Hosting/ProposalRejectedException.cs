namespace Dfs.Raft.Consensus.Hosting;

/// <summary>The leader refused a proposal for a reason other than leadership (back-pressure, an invalid or concurrent membership change). Nothing was applied.</summary>
public sealed class ProposalRejectedException(ProposeRejection reason, string message) : InvalidOperationException(message)
{
    /// <summary>Why the core refused it.</summary>
    public ProposeRejection Reason { get; } = reason;
}
