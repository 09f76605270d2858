namespace Dfs.Raft.Consensus;

/// <summary>
/// The deterministic state that a Raft group replicates. Every replica applies the same commands in the
/// same order and must reach the same state and return the same results.
/// </summary>
/// <remarks>
/// Called from one thread at a time. Nothing here may read a clock, a random source or anything local
/// to the replica: time comes inside the log entries (see <see cref="Sessions.ITimedStateMachine"/>).
/// </remarks>
public interface IStateMachine : IReplicatedState
{
    /// <summary>Applies the committed command at <paramref name="index"/> and returns its result for the proposer.</summary>
    ReadOnlyMemory<byte> Apply(long index, ReadOnlySpan<byte> command);
}
