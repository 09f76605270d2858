using Dfs.Client.Kv;

namespace Dfs.Raft.Kv;

internal sealed partial class KvStore
{
    private readonly Dictionary<long, KvLease> _leases = [];
    private readonly SortedSet<(long ExpiresAtMs, long Id)> _expiry = [];

    /// <summary>Leases held.</summary>
    public int LeaseCount => _leases.Count;

    /// <summary>The lease <paramref name="leaseId"/> as it stands, or null.</summary>
    public KvLeaseInfo? GetLease(long leaseId) => _leases.TryGetValue(leaseId, out var lease) ? lease.ToInfo() : null;

    // Moves the clock to max(clock, nowMs) and revokes every lease due by then, earliest expiry first (ties by id).
    private void AdvanceClock(long nowMs)
    {
        NowMs = Math.Max(NowMs, nowMs);
        while (_expiry.Count > 0 && _expiry.Min.ExpiresAtMs <= NowMs)
        {
            RemoveLease(_leases[_expiry.Min.Id]);
        }
    }

    private KvResult GrantLease(long leaseId, long ttlMs)
    {
        if (_leases.ContainsKey(leaseId))
        {
            return KvResult.Failure(KvStatus.LeaseExists, $"Lease {leaseId} already exists; choose another id.", Revision);
        }
        var lease = new KvLease(leaseId, ttlMs, NowMs + ttlMs);
        _leases.Add(leaseId, lease);
        _expiry.Add((lease.ExpiresAtMs, leaseId));
        return new KvResult(KvStatus.Ok, null, Revision, true, [], lease.ToInfo());
    }

    private KvResult RevokeLease(long leaseId)
    {
        if (!_leases.TryGetValue(leaseId, out var lease))
        {
            return KvResult.Failure(KvStatus.LeaseNotFound, $"Lease {leaseId} does not exist (never granted, revoked or expired).", Revision);
        }
        var deleted = RemoveLease(lease);
        return new KvResult(KvStatus.Ok, null, Revision, true, [new KvOpResult(KvOpKind.DeleteRange, [], false, deleted)], lease.ToInfo() with { ExpiresAtMs = 0 });
    }

    private KvResult KeepAliveLease(long leaseId)
    {
        if (!_leases.TryGetValue(leaseId, out var lease))
        {
            return KvResult.Failure(KvStatus.LeaseNotFound, $"Lease {leaseId} does not exist (never granted, revoked or expired).", Revision);
        }
        _expiry.Remove((lease.ExpiresAtMs, leaseId));
        lease.ExpiresAtMs = NowMs + lease.TtlMs;
        _expiry.Add((lease.ExpiresAtMs, leaseId));
        return new KvResult(KvStatus.Ok, null, Revision, true, [], lease.ToInfo());
    }

    // Drops the lease and deletes its keys in key order at one new revision; returns how many keys went.
    private int RemoveLease(KvLease lease)
    {
        _leases.Remove(lease.Id);
        _expiry.Remove((lease.ExpiresAtMs, lease.Id));
        var keys = lease.SortedKeys();
        foreach (var key in keys)
        {
            _index.Remove(key);
        }
        if (keys.Length > 0)
        {
            Revision++;
        }
        return keys.Length;
    }

    private void DetachFromLease(byte[] record)
    {
        var leaseId = KvRecord.LeaseId(record);
        if (leaseId != 0)
        {
            _leases[leaseId].KeysBySpan.Remove(KvRecord.Key(record));
        }
    }
}
