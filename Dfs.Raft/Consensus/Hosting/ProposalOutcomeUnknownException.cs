namespace Dfs.Raft.Consensus.Hosting;

/// <summary>
/// A proposal was accepted into the log but this node can no longer tell whether it will be committed: it may
/// or may not have been applied. Retry only with a command the state machine deduplicates.
/// </summary>
public sealed class ProposalOutcomeUnknownException(long index, string reason)
    : Exception($"The proposal at log index {index} may or may not have been applied: {reason}")
{
    /// <summary>The log index the proposal was given.</summary>
    public long Index { get; } = index;
}
