namespace Dfs.Raft.Consensus;

/// <summary>
/// The snapshot side of a replicated state machine: the whole state as of the last applied index, written out
/// and read back so that a replica can catch up without replaying the log.
/// </summary>
/// <remarks>Called from one thread at a time, like the apply calls of the state machines that extend it.</remarks>
public interface IReplicatedState
{
    /// <summary>Writes the whole state, as of the last applied index, to <paramref name="destination"/>.</summary>
    void WriteSnapshot(Stream destination);

    /// <summary>
    /// Captures the state as of the last applied index and returns a writer that streams it later, on another
    /// thread, while applying goes on; what the writer writes is what <see cref="WriteSnapshot"/> would
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
