using System.Text;
using Dfs.Client.Metadata;
using static Dfs.Common.Keys.KeyRanges;
using static Dfs.Raft.Metadata.MetadataKeys;

namespace Dfs.Raft.Metadata;

public sealed partial class MetadataStore
{
    /// <summary>
    /// Takes the write lock on <paramref name="path"/> for <paramref name="clientId"/> if it is free; with
    /// <paramref name="enqueue"/>, otherwise joins the path's FIFO queue of waiters. Calling again while queued or holding only reports.
    /// </summary>
    /// <param name="path">The locked path (it need not exist: a writer may lock before it creates).</param>
    /// <param name="clientId">The contender's client id.</param>
    /// <param name="leaseId">The contender's lease (from <see cref="IMetadataKv.GrantLeaseAsync"/>); when it expires the contender leaves the queue.</param>
    /// <param name="enqueue">Join the queue when the lock is held; false: return at once without queuing.</param>
    /// <remarks>
    /// etcd's lock recipe: each contender is a key under the path's lock prefix, attached to its lease; the contender
    /// with the lowest create revision holds the lock, so the queue is first come, first served and a holder whose lease
    /// expires (log time) hands over to the next without anyone acting. Every enqueue also rewrites the path's stamp
    /// key, so a commit that saw an empty queue can pin that it is still empty.
    /// </remarks>
    /// <exception cref="MetadataException">InvalidPath, InvalidArgument, LeaseNotFound.</exception>
    public Task<LockStatus> TryAcquireAsync(string path, string clientId, long leaseId, bool enqueue = true, CancellationToken cancellationToken = default)
    {
        MetadataPath.Parse(path);
        CheckContender(clientId, leaseId);
        var hash = PathHash(path);
        var myKey = QueueKey(hash, leaseId);
        var stampKey = StampKey(hash);
        return WriteAsync(view =>
        {
            var queue = ReadQueue(view, hash);
            var mine = queue.FindIndex(kv => kv.Key.Span.SequenceEqual(myKey));
            if (mine >= 0)
            {
                return new Plan<LockStatus>(null, new LockStatus(mine == 0, mine, ToHolder(queue[0])));
            }
            if (queue.Count > 0 && !enqueue)
            {
                return new Plan<LockStatus>(null, new LockStatus(false, -1, ToHolder(queue[0])));
            }
            var b = new TxnBuilder();
            b.Missing(myKey);
            if (queue.Count == 0)
            {
                // Held at once only if nobody queued since the read.
                b.Compare(MetaCompare.ModRevisionIs(stampKey, view.Get(stampKey)?.ModRevision ?? 0));
            }
            b.Put(myKey, Encoding.UTF8.GetBytes(clientId), leaseId);
            b.Put(stampKey, ReadOnlyMemory<byte>.Empty, leaseId);
            return queue.Count == 0
                ? new Plan<LockStatus>(b, new LockStatus(true, 0, new LockHolder(clientId, leaseId)))
                : new Plan<LockStatus>(b, new LockStatus(false, queue.Count, ToHolder(queue[0])));
        }, cancellationToken);
    }

    /// <summary>Releases the lock (or leaves the queue) on <paramref name="path"/>; the next waiter in line holds it at once.</summary>
    /// <remarks>One transaction deleting the contender key; the last contender out also deletes the path's stamp.</remarks>
    /// <exception cref="MetadataException">InvalidPath, InvalidArgument, LockNotHeld (this client and lease neither hold nor wait).</exception>
    public Task ReleaseAsync(string path, string clientId, long leaseId, CancellationToken cancellationToken = default)
    {
        MetadataPath.Parse(path);
        CheckContender(clientId, leaseId);
        var hash = PathHash(path);
        var myKey = QueueKey(hash, leaseId);
        var stampKey = StampKey(hash);
        return WriteAsync(view =>
        {
            var mine = view.Get(myKey);
            if (mine is null || !mine.Value.Span.SequenceEqual(Encoding.UTF8.GetBytes(clientId)))
            {
                throw new MetadataException(MetadataErrorCode.LockNotHeld, $"Client '{clientId}' with lease {leaseId} neither holds nor waits for the lock on '{path}'.");
            }
            var b = new TxnBuilder();
            b.Compare(MetaCompare.CreateRevisionIs(myKey, mine.CreateRevision));
            b.Delete(myKey);
            if (ReadQueue(view, hash).Count == 1 && view.Get(stampKey) is { } stamp)
            {
                b.Unchanged(stamp);
                b.Delete(stampKey);
            }
            return new Plan<bool>(b, true);
        }, cancellationToken);
    }

    /// <summary>Who holds the lock on <paramref name="path"/>, or null when it is free.</summary>
    public Task<LockHolder?> HolderAsync(string path, CancellationToken cancellationToken = default)
    {
        MetadataPath.Parse(path);
        var hash = PathHash(path);
        return _kv.ReadAsync(view => ReadQueue(view, hash) is [var head, ..] ? ToHolder(head) : null, cancellationToken);
    }

    /// <summary>True when <paramref name="clientId"/> holds the lock on <paramref name="path"/>.</summary>
    public async Task<bool> IsHeldByAsync(string path, string clientId, CancellationToken cancellationToken = default) =>
        (await HolderAsync(path, cancellationToken).ConfigureAwait(false))?.ClientId == clientId;

    /// <summary>The waiters on <paramref name="path"/>'s lock in queue order, the holder first.</summary>
    public Task<IReadOnlyList<LockHolder>> QueueAsync(string path, CancellationToken cancellationToken = default)
    {
        MetadataPath.Parse(path);
        var hash = PathHash(path);
        return _kv.ReadAsync<IReadOnlyList<LockHolder>>(view => [.. ReadQueue(view, hash).Select(ToHolder)], cancellationToken);
    }

    /// <summary>
    /// Refuses with Locked when someone other than <paramref name="clientId"/> holds <paramref name="path"/>'s lock, and
    /// otherwise pins what made the path writable: the caller's own head key (no earlier contender can appear), or the
    /// stamp of an empty queue (any enqueue rewrites it).
    /// </summary>
    private static void PinLock(TxnBuilder b, IKvView view, string path, string? clientId)
    {
        var hash = PathHash(path);
        var queue = ReadQueue(view, hash);
        if (queue.Count == 0)
        {
            var stampKey = StampKey(hash);
            b.Compare(MetaCompare.ModRevisionIs(stampKey, view.Get(stampKey)?.ModRevision ?? 0));
            return;
        }
        var holder = ToHolder(queue[0]);
        if (clientId is null || holder.ClientId != clientId)
        {
            throw new MetadataException(MetadataErrorCode.Locked, $"'{path}' is locked by client '{holder.ClientId}'.");
        }
        b.Compare(MetaCompare.CreateRevisionIs(queue[0].Key, queue[0].CreateRevision));
    }

    /// <summary>The path's contenders, in queue order (create revision).</summary>
    private static List<MetaKeyValue> ReadQueue(IKvView view, byte[] hash)
    {
        var prefix = QueuePrefix(hash);
        var queue = view.Range(prefix, PrefixEnd(prefix), 0).Items.ToList();
        queue.Sort((x, y) => x.CreateRevision.CompareTo(y.CreateRevision));
        return queue;
    }

    private static LockHolder ToHolder(MetaKeyValue contender) =>
        new(Encoding.UTF8.GetString(contender.Value.Span), LeaseOfQueueKey(contender.Key.Span));

    private static void CheckContender(string clientId, long leaseId)
    {
        if (string.IsNullOrEmpty(clientId) || Encoding.UTF8.GetByteCount(clientId) > 255 || leaseId <= 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, "A lock contender has a client id of 1..255 UTF-8 bytes and a positive lease id.");
        }
    }
}
