using System.Collections.Concurrent;
using System.Text;
using Dfs.Client.Kv;
using Dfs.Client.Metadata;

namespace Dfs.Raft.Metadata.Service;

public sealed partial class FileSystemService
{
    // A waiter polls its place in the queue, from this pause doubling up to the longest.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(100);

    // Each granted lease's time-to-live, so a renewal can say when the lease now ends; a leader that did not grant it answers 0.
    private readonly ConcurrentDictionary<long, long> _leaseTtls = new();

    public Task<LockGrant> LockAsync(string path, string owner, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken = default) =>
        LockCoreAsync(path, owner, (long)ttl.TotalMilliseconds, (long)wait.TotalMilliseconds, null, cancellationToken);

    public async Task<LockGrant> RenewLockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default)
    {
        CheckOwner(path, owner);
        var queue = await Store.QueueAsync(path, cancellationToken).ConfigureAwait(false);
        var position = IndexOf(queue, owner, leaseId);
        if (position < 0 || !await _kv.KeepAliveAsync(leaseId, cancellationToken).ConfigureAwait(false))
        {
            throw NotHeld(path, owner, leaseId);
        }
        var expires = _leaseTtls.TryGetValue(leaseId, out var ttl) ? NowMs + ttl : 0;
        return new LockGrant(position == 0, owner, leaseId, position, queue[0], expires);
    }

    public Task UnlockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default) =>
        UnlockCoreAsync(path, owner, leaseId, null, cancellationToken);

    public Task<IReadOnlyList<LockHolder>> LockQueueAsync(string path, CancellationToken cancellationToken = default) =>
        Store.QueueAsync(path, cancellationToken);

    /// <summary>
    /// Grants the owner a lease, takes the lock or joins its queue, and waits (polling its place, keeping the lease alive)
    /// until it holds the lock or <paramref name="waitMs"/> passes; a wait that ends without the lock leaves the queue.
    /// </summary>
    /// <remarks>
    /// With exactly-once, the answer is recorded once it is known. A copy of the request that arrives while the first still
    /// waits (a failover) waits on its own lease; the first's lease ends with its time-to-live.
    /// </remarks>
    private async Task<LockGrant> LockCoreAsync(string path, string owner, long ttlMs, long waitMs, OutcomeFactory? outcome, CancellationToken cancellationToken)
    {
        CheckOwner(path, owner);
        if (ttlMs is <= 0 or > KvLeaseGrantCommand.MaxTtlMs)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A lock's time-to-live lies in 1..{KvLeaseGrantCommand.MaxTtlMs} ms; {ttlMs} does not.");
        }
        if (waitMs < 0 || waitMs > (long)_options.MaxLockWait.TotalMilliseconds)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument,
                $"A lock wait lies in 0..{(long)_options.MaxLockWait.TotalMilliseconds} ms; {waitMs} does not.");
        }
        var hook = outcome?.Invoke(null);
        await CheckReplayAsync(hook, cancellationToken).ConfigureAwait(false);
        var lease = await _kv.GrantLeaseAsync(ttlMs, cancellationToken).ConfigureAwait(false);
        _leaseTtls[lease] = ttlMs;
        var held = false;
        try
        {
            var started = _time.GetTimestamp();
            var lastKeepAlive = started;
            var pause = FirstPoll;
            var status = await Store.TryAcquireAsync(path, owner, lease, enqueue: waitMs > 0, cancellationToken).ConfigureAwait(false);
            while (!status.Held && status.Position >= 0)
            {
                var left = TimeSpan.FromMilliseconds(waitMs) - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }
                await Task.Delay(pause < left ? pause : left, _time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPoll.Ticks));
                // The place in the queue lives as long as the lease: a wait longer than the time-to-live keeps it alive.
                if (_time.GetElapsedTime(lastKeepAlive).TotalMilliseconds * 3 >= ttlMs)
                {
                    if (!await _kv.KeepAliveAsync(lease, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                    lastKeepAlive = _time.GetTimestamp();
                }
                status = await Store.TryAcquireAsync(path, owner, lease, enqueue: false, cancellationToken).ConfigureAwait(false);
            }
            held = status.Held;
            var grant = held
                ? new LockGrant(true, owner, lease, 0, status.Holder, NowMs + ttlMs)
                : new LockGrant(false, owner, 0, -1, status.Holder, 0);
            if (hook is not null)
            {
                var b = new TxnBuilder();
                hook.Extend(b, grant);
                // A copy of this request that recorded its answer first wins; this one's lease is left to expire or was revoked below.
                await _kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false);
            }
            return grant;
        }
        finally
        {
            if (!held)
            {
                _leaseTtls.TryRemove(lease, out _);
                await RevokeQuietlyAsync(lease).ConfigureAwait(false);
            }
        }
    }

    private async Task UnlockCoreAsync(string path, string owner, long leaseId, OutcomeFactory? outcome, CancellationToken cancellationToken)
    {
        CheckOwner(path, owner);
        if (leaseId <= 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A lease id is positive; {leaseId} is not.");
        }
        await StoreWith(outcome).ReleaseAsync(path, owner, leaseId, cancellationToken).ConfigureAwait(false);
        _leaseTtls.TryRemove(leaseId, out _);
        // The release is what the caller asked for; the lease has nothing left to keep and would expire by itself.
        await RevokeQuietlyAsync(leaseId).ConfigureAwait(false);
    }

    private async Task RevokeQuietlyAsync(long lease)
    {
        try
        {
            await _kv.RevokeLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Leadership moved or the log refused: the lease ends with its time-to-live instead.
        }
    }

    private static int IndexOf(IReadOnlyList<LockHolder> queue, string owner, long leaseId)
    {
        for (var i = 0; i < queue.Count; i++)
        {
            if (queue[i].ClientId == owner && queue[i].LeaseId == leaseId)
            {
                return i;
            }
        }
        return -1;
    }

    private static void CheckOwner(string path, string owner)
    {
        MetadataPath.Parse(path);
        if (string.IsNullOrEmpty(owner) || Encoding.UTF8.GetByteCount(owner) > 255)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, "A lock owner id is 1..255 UTF-8 bytes.");
        }
    }

    private static MetadataException NotHeld(string path, string owner, long leaseId) =>
        new(MetadataErrorCode.LockNotHeld, $"'{owner}' with lease {leaseId} neither holds nor waits for the lock on '{path}' (the lease may have ended).");
}
