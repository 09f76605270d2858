namespace Dfs.Raft.Consensus.Hosting;

/// <summary>
/// This node cannot serve the request because it is not the leader, or stopped being it before the request
/// took effect. Nothing was applied: the request may be retried at <see cref="LeaderId"/>.
/// </summary>
public sealed class NotLeaderException(string nodeId, string? leaderId, string? detail = null)
    : InvalidOperationException($"Node {nodeId} is not the leader; " +
        (leaderId is null ? "no leader is known yet, retry shortly." : $"the leader is {leaderId}.") +
        (detail is null ? "" : " " + detail))
{
    /// <summary>The leader this node knows of, or null.</summary>
    public string? LeaderId { get; } = leaderId;
}
