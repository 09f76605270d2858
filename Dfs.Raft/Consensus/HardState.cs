namespace Dfs.Raft.Consensus;

/// <summary>The part of a node's state that must be on disk before it answers anyone (Raft Figure 2).</summary>
/// <param name="Term">The latest term the node has seen.</param>
/// <param name="VotedFor">Whom it voted for in <paramref name="Term"/>, or null.</param>
/// <param name="Commit">
/// The highest index it knows to be committed. Not required for safety; persisted so a restarted node can
/// re-apply its log up to here without waiting for a leader.
/// </param>
public sealed record HardState(long Term, string? VotedFor, long Commit)
{
    public static readonly HardState Empty = new(0, null, 0);
}
