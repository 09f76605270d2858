namespace Dfs.Raft.Consensus;

/// <summary>
/// The deterministic state that a Raft group replicates. Every replica applies the same commands in the
/// same order and must reach the same state and return the same results.
/// </summary>
/// <remarks>
/// Called from one thread at a time. Nothing here may read a clock, a random source or anything local
/// to the replica: time comes inside commands.
/// </remarks>
public interface IStateMachine
{
    /// <summary>Applies the committed command at <paramref name="index"/> and returns its result for the proposer.</summary>
    ReadOnlyMemory<byte> Apply(long index, ReadOnlySpan<byte> command);

    /// <summary>Writes the whole state, as of the last applied index, to <paramref name="destination"/>.</summary>
    void WriteSnapshot(Stream destination);

    /// <summary>
    /// Captures the state as of the last applied index and returns a writer that streams it later, on another
    /// thread, while <see cref="Apply"/> goes on; what the writer writes is what <see cref="WriteSnapshot"/> would
    /// have written at the moment of capture.
    /// </summary>
    /// <remarks>The default writes the snapshot into memory at once; a state machine with a cheap point-in-time view overrides it.</remarks>
    Action<Stream> CaptureSnapshot()
    {
        var captured = new MemoryStream();
        WriteSnapshot(captured);
        return destination =>
        {
            captured.Position = 0;
            captured.CopyTo(destination);
        };
    }

    /// <summary>Replaces the whole state with a snapshot written by <see cref="WriteSnapshot"/>.</summary>
    void RestoreSnapshot(Stream source);
}
