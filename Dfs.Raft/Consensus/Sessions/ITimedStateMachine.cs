namespace Dfs.Raft.Consensus.Sessions;

/// <summary>
/// A state machine wrapped by <see cref="SessionStateMachine"/>: it applies the body of each envelope together
/// with the time stamped on the envelope's log entry.
/// </summary>
/// <remarks>
/// <para>
/// The time is <see cref="CommandEnvelope.TimestampMs"/>: the leader's clock, in Unix milliseconds, stamped once
/// when the entry was proposed and identical on every replica. It is the only time a wrapped state machine may use
/// (to expire leases, for example), so every replica reaches the same state at the same index. Leaders' clocks
/// disagree a little, so the time of a later entry can be slightly lower; a state machine that needs a clock that
/// never runs backwards keeps the highest time it has applied.
/// </para>
/// <para>
/// Called from one thread at a time. An entry the session layer does not apply (a retry answered from its cache, a
/// command of an expired session) reaches the wrapped state machine neither as a command nor as time.
/// </para>
/// </remarks>
public interface ITimedStateMachine : IReplicatedState
{
    /// <summary>Applies the committed command at <paramref name="index"/>, proposed at <paramref name="timestampMs"/>, and returns its result for the proposer.</summary>
    ReadOnlyMemory<byte> Apply(long index, long timestampMs, ReadOnlySpan<byte> command);
}
