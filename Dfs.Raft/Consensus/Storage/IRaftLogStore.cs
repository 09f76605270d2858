namespace Dfs.Raft.Consensus.Storage;

/// <summary>What a log store recovered on open.</summary>
/// <param name="HardState">The last persisted term, vote and commit.</param>
/// <param name="Entries">
/// Every entry still in the log, contiguous, after any torn or corrupt tail was cut. Entries at or
/// below the latest snapshot may be included if compaction had not yet removed them; the host skips them.
/// </param>
public sealed record RecoveredLog(HardState HardState, IReadOnlyList<LogEntry> Entries);

/// <summary>
/// The durable Raft log and hard state of one node.
/// </summary>
/// <remarks>
/// Durability: nothing written is promised to survive a crash until <see cref="Sync"/> returns; after it
/// returns, every earlier append, truncation and hard-state write survives. Only one thread calls a store
/// at a time.
/// </remarks>
public interface IRaftLogStore : IDisposable
{
    /// <summary>Reads back the log and hard state, cutting any torn or corrupt tail.</summary>
    RecoveredLog Recover();

    /// <summary>
    /// Appends entries (contiguous, ascending). If the first one's index is at or below the last stored
    /// index, the stored entries from that index on are discarded first.
    /// </summary>
    void Append(IReadOnlyList<LogEntry> entries);

    /// <summary>Records a new hard state.</summary>
    void SetHardState(HardState state);

    /// <summary>Makes everything written so far durable (fsync): one call per batch.</summary>
    void Sync();

    /// <summary>
    /// Lets the store discard entries up to and including <paramref name="index"/>, which a durable snapshot
    /// now covers. It may keep some (it frees whole segments).
    /// </summary>
    void CompactThrough(long index);

    /// <summary>
    /// Discards the whole log: a snapshot installed from the leader replaced it; the next append will be
    /// at <paramref name="nextIndex"/>. Durable at the next <see cref="Sync"/>.
    /// </summary>
    void Reset(long nextIndex);
}
