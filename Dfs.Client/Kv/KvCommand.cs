namespace Dfs.Client.Kv;

/// <summary>
/// A command for the replicated store. A command carries no time: the store takes its time from the log entry that
/// carries the command (the Raft envelope's <c>TimestampMs</c>), so every replica reaches the same state.
/// </summary>
/// <remarks>Factories validate as they build; <see cref="KvCommandCodec"/> validates again before encoding and the store once more when applying.</remarks>
public abstract record KvCommand
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>.</summary>
    public static KvOpCommand Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long leaseId = 0, bool previousValue = false) =>
        Checked(new KvOpCommand(KvOp.Put(key, value, leaseId, previousValue)));

    /// <summary>Deletes one key.</summary>
    public static KvOpCommand Delete(ReadOnlyMemory<byte> key) => Checked(new KvOpCommand(KvOp.Delete(key)));

    /// <summary>Deletes every key starting with <paramref name="prefix"/>.</summary>
    public static KvOpCommand DeletePrefix(ReadOnlyMemory<byte> prefix) => Checked(new KvOpCommand(KvOp.DeletePrefix(prefix)));

    /// <summary>Compares, then runs <paramref name="success"/> if every compare holds, else <paramref name="failure"/>; atomically.</summary>
    public static KvTxnCommand Txn(IReadOnlyList<KvCompare> compares, IReadOnlyList<KvOp> success, IReadOnlyList<KvOp>? failure = null) =>
        Checked(new KvTxnCommand(compares, success, failure ?? []));

    /// <summary>Creates lease <paramref name="leaseId"/> that expires <paramref name="ttlMs"/> after the time of the entry that applies it.</summary>
    public static KvLeaseGrantCommand GrantLease(long leaseId, long ttlMs) => Checked(new KvLeaseGrantCommand(leaseId, ttlMs));

    /// <summary>Ends a lease now and deletes the keys attached to it.</summary>
    public static KvLeaseRevokeCommand RevokeLease(long leaseId) => Checked(new KvLeaseRevokeCommand(leaseId));

    /// <summary>Pushes a lease's expiry to its time-to-live after the time of the entry that applies it.</summary>
    public static KvLeaseKeepAliveCommand KeepAliveLease(long leaseId) => Checked(new KvLeaseKeepAliveCommand(leaseId));

    /// <summary>Changes nothing but lets the store's clock reach the time of its entry (expiring due leases): what a leader proposes when nothing else carries time.</summary>
    public static KvClockCommand AdvanceClock() => new();

    /// <summary>Throws <see cref="KvValidationException"/> if the command breaks a limit or carries a bad argument.</summary>
    public virtual void Validate()
    {
    }

    /// <summary>True when applying the command can change the key space (not counting lease expiry).</summary>
    public abstract bool IsWrite { get; }

    private protected static T Checked<T>(T command)
        where T : KvCommand
    {
        command.Validate();
        return command;
    }

    private protected static void ValidateLeaseId(long leaseId)
    {
        if (leaseId <= 0)
        {
            throw new KvValidationException($"Lease id {leaseId} is not positive; lease ids are chosen by the proposer and must be above 0.");
        }
    }
}

/// <summary>A single operation on the key space.</summary>
public sealed record KvOpCommand(KvOp Op) : KvCommand
{
    public override bool IsWrite => Op.IsWrite;

    public override void Validate()
    {
        Op.Validate();
    }
}

/// <summary>Compares, then one branch of operations, atomically and at one revision.</summary>
public sealed record KvTxnCommand(IReadOnlyList<KvCompare> Compares, IReadOnlyList<KvOp> Success, IReadOnlyList<KvOp> Failure) : KvCommand
{
    /// <summary>Most compares, and most operations per branch, a transaction may hold.</summary>
    public const int MaxItems = 1024;

    public override bool IsWrite => Success.Any(o => o.IsWrite) || Failure.Any(o => o.IsWrite);

    public override void Validate()
    {
        if (Compares.Count > MaxItems || Success.Count > MaxItems || Failure.Count > MaxItems)
        {
            throw new KvValidationException($"A transaction holds at most {MaxItems} compares and {MaxItems} operations per branch.");
        }
        foreach (var compare in Compares)
        {
            compare.Validate();
        }
        foreach (var op in Success)
        {
            op.Validate();
        }
        foreach (var op in Failure)
        {
            op.Validate();
        }
    }
}

/// <summary>Creates a lease.</summary>
public sealed record KvLeaseGrantCommand(long LeaseId, long TtlMs) : KvCommand
{
    /// <summary>Longest time-to-live a lease may have (one year).</summary>
    public const long MaxTtlMs = 365L * 24 * 3600 * 1000;

    public override bool IsWrite => false;

    public override void Validate()
    {
        ValidateLeaseId(LeaseId);
        if (TtlMs is <= 0 or > MaxTtlMs)
        {
            throw new KvValidationException($"The lease time-to-live {TtlMs} ms is outside 1..{MaxTtlMs} ms.");
        }
    }
}

/// <summary>Ends a lease and deletes its keys.</summary>
public sealed record KvLeaseRevokeCommand(long LeaseId) : KvCommand
{
    public override bool IsWrite => true;

    public override void Validate()
    {
        ValidateLeaseId(LeaseId);
    }
}

/// <summary>Renews a lease.</summary>
public sealed record KvLeaseKeepAliveCommand(long LeaseId) : KvCommand
{
    public override bool IsWrite => false;

    public override void Validate()
    {
        ValidateLeaseId(LeaseId);
    }
}

/// <summary>Advances the store's clock only.</summary>
public sealed record KvClockCommand : KvCommand
{
    public override bool IsWrite => false;
}
