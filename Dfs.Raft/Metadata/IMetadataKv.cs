using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>
/// The etcd-shaped key-value interface the metadata schema is written against: consistent multi-key reads,
/// transactions with compares, and leases. Nothing else of a store is assumed, so the schema can run on the
/// master's own replicated store or on an external etcd.
/// </summary>
/// <remarks>
/// Reads through <see cref="ReadAsync{T}"/> see one consistent state of the whole key space (on the master: one
/// linearizable ReadIndex round, then local reads; on etcd: a serializable read pinned to one revision). A
/// transaction is atomic: its compares and the branch it runs see and change one revision.
/// </remarks>
public interface IMetadataKv
{
    /// <summary>Runs <paramref name="read"/> against one consistent, linearizable view of the key space.</summary>
    /// <remarks>
    /// <paramref name="read"/> may run more than once (when the state moves under it); it must have no side
    /// effect beyond what it returns. An exception it throws from a consistent view reaches the caller.
    /// </remarks>
    Task<T> ReadAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="read"/> against a consistent view of this replica's current state, without a read barrier: the view
    /// may lag what a linearizable read would see (a leader that has not yet applied everything committed, or one that was
    /// deposed without knowing it), but it never shows a state that was not committed.
    /// </summary>
    /// <remarks>
    /// For planning a transaction whose compares pin everything the plan read: a stale plan then fails its compares and is
    /// planned again, so only what the caller answers without committing needs <see cref="ReadAsync{T}"/>. A store that
    /// cannot read its local state cheaply keeps this default, a linearizable read.
    /// </remarks>
    Task<T> ReadLocalAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken) => ReadAsync(read, cancellationToken);

    /// <summary>Runs <paramref name="txn"/> atomically: every compare holds → the success branch, else the failure branch.</summary>
    /// <exception cref="MetadataException">Code LeaseNotFound when a put names a lease that no longer exists; nothing changed.</exception>
    Task<MetaTxnResult> TxnAsync(MetaTxn txn, CancellationToken cancellationToken);

    /// <summary>Creates a lease that expires <paramref name="ttlMs"/> after the log time of the entry that grants it; returns its id.</summary>
    Task<long> GrantLeaseAsync(long ttlMs, CancellationToken cancellationToken);

    /// <summary>Pushes the lease's expiry to its time-to-live after now (log time); false when the lease no longer exists.</summary>
    Task<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Ends the lease now and deletes every key attached to it; false when it no longer existed.</summary>
    Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);
}
