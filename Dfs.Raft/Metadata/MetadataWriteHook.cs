namespace Dfs.Raft.Metadata;

/// <summary>
/// Joins a caller's own reads and writes to the schema's: the master's file-system service records each change's answer
/// for exactly-once retries, and checks a commit's chunk allocations, in the same view and the same transaction.
/// </summary>
internal abstract class MetadataWriteHook
{
    /// <summary>Runs in the view every plan of a write reads, before the plan; it may throw to end the write without changing anything.</summary>
    /// <remarks>Runs again whenever the write plans again (a lost race, a view that moved); it keeps only what the last call read.</remarks>
    public abstract void BeforePlan(IKvView view);

    /// <summary>Adds compares and operations to the last transaction of a write that changes something; <paramref name="answer"/> is what the write returns.</summary>
    public abstract void Extend(TxnBuilder txn, object? answer);
}
