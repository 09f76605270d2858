namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// At boot, makes the recovered log agree with the latest snapshot: a node that crashed between saving a
/// snapshot from the leader and syncing the log reset may hold a log that does not continue the snapshot.
/// </summary>
/// <remarks>
/// The entries after the snapshot are kept only if the log holds the snapshot's last entry with its term,
/// or starts right after it (Raft Figure 13, step 6). Otherwise the whole log goes and the store is reset,
/// durably, so that the next append lands at the snapshot's index + 1 rather than on a gap or a stale suffix.
/// </remarks>
public static class SnapshotLogReconciliation
{
    /// <summary>What the node boots with, and whether the store must be reset behind the snapshot.</summary>
    /// <param name="Entries">The entries after the snapshot that continue it (all of them when there is no snapshot).</param>
    /// <param name="ResetLog">The store holds nothing that continues the snapshot: it must restart at the snapshot's index + 1.</param>
    /// <param name="DiscardedEntries">Entries after the snapshot belonged to another history (or left a gap) and are dropped.</param>
    public readonly record struct Result(IReadOnlyList<LogEntry> Entries, bool ResetLog, bool DiscardedEntries);

    /// <summary>Decides what of <paramref name="entries"/> (contiguous, ascending) continues <paramref name="snapshot"/>; changes nothing.</summary>
    public static Result Reconcile(SnapshotMetadata? snapshot, IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (snapshot is null)
        {
            return new Result(entries, false, false);
        }
        var after = entries.Where(e => e.Index > snapshot.Index).ToArray();
        var atSnapshot = entries.FirstOrDefault(e => e.Index == snapshot.Index);
        if (after.Length == 0 && atSnapshot is not null && atSnapshot.Term == snapshot.Term)
        {
            // The log ends exactly at the snapshot: the next append continues it.
            return new Result([], false, false);
        }
        var continues = after.Length > 0 &&
            (atSnapshot is not null ? atSnapshot.Term == snapshot.Term : after[0].Index == snapshot.Index + 1);
        return continues ? new Result(after, false, false) : new Result([], true, after.Length > 0);
    }

    /// <summary>Reconciles the recovered log with the snapshot and, when needed, resets <paramref name="store"/> behind it and syncs.</summary>
    public static Result ReconcileStore(IRaftLogStore store, SnapshotMetadata? snapshot, IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = Reconcile(snapshot, entries);
        if (result.ResetLog)
        {
            store.Reset(snapshot!.Index + 1);
            store.Sync();
        }
        return result;
    }
}
