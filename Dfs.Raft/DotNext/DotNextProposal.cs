namespace Dfs.Raft.DotNext;

/// <summary>
/// One proposal of this leader, handed to DotNext as the log entry's context: DotNext gives it back to the state
/// machine when it applies that index here, and the state machine answers the proposer through it.
/// </summary>
internal sealed class DotNextProposal(long term)
{
    private readonly TaskCompletionSource<ReadOnlyMemory<byte>?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The term the entry was appended in; an entry at the same index with another term is someone else's.</summary>
    public long Term { get; } = term;

    /// <summary>The result of applying the entry, or null if another entry took its index (it was never applied).</summary>
    public Task<ReadOnlyMemory<byte>?> Outcome => _outcome.Task;

    public void Applied(ReadOnlyMemory<byte> result) => _outcome.TrySetResult(result);

    public void Replaced() => _outcome.TrySetResult(null);
}
