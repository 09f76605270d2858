namespace Dfs.Client.Kv;

/// <summary>How a command ended.</summary>
public enum KvStatus : byte
{
    /// <summary>Applied (a transaction whose compares failed is still Ok, with <see cref="KvResult.Succeeded"/> false).</summary>
    Ok = 0,

    /// <summary>The command broke a limit or carried a bad argument; nothing changed.</summary>
    InvalidArgument = 1,

    /// <summary>The command's bytes could not be decoded; nothing changed.</summary>
    MalformedCommand = 2,

    /// <summary>The lease named does not exist (never granted, revoked, or expired); nothing changed but the clock.</summary>
    LeaseNotFound = 3,

    /// <summary>A lease with that id already exists; nothing changed but the clock.</summary>
    LeaseExists = 4,
}

/// <summary>What one operation returned.</summary>
/// <param name="Kind">The operation's kind.</param>
/// <param name="Items">Get/Range: the keys read, in order. Put: the previous key-value when asked for and present.</param>
/// <param name="More">Range: more keys in the range lay beyond the limit.</param>
/// <param name="Deleted">Delete/DeleteRange: how many keys were deleted.</param>
public sealed record KvOpResult(KvOpKind Kind, IReadOnlyList<KvKeyValue> Items, bool More, long Deleted);

/// <summary>A lease as it stands after a command.</summary>
/// <param name="Id">The lease id.</param>
/// <param name="TtlMs">Its time-to-live.</param>
/// <param name="ExpiresAtMs">The log-entry time at which it expires (0 once revoked).</param>
public sealed record KvLeaseInfo(long Id, long TtlMs, long ExpiresAtMs);

/// <summary>The result of applying one command, returned to its proposer.</summary>
/// <param name="Status">How the command ended.</param>
/// <param name="Error">A message a person can act on when <paramref name="Status"/> is not Ok.</param>
/// <param name="Revision">The store revision after the command (for a write, the revision it made).</param>
/// <param name="Succeeded">Transactions: whether every compare held and the success branch ran. True for other commands that applied.</param>
/// <param name="Responses">One result per operation run (one for a single-operation command; the chosen branch's for a transaction).</param>
/// <param name="Lease">Lease commands: the lease afterwards.</param>
public sealed record KvResult(
    KvStatus Status,
    string? Error,
    long Revision,
    bool Succeeded,
    IReadOnlyList<KvOpResult> Responses,
    KvLeaseInfo? Lease)
{
    /// <summary>A failure that changed nothing.</summary>
    public static KvResult Failure(KvStatus status, string error, long revision) => new(status, error, revision, false, [], null);

    /// <summary>True when <see cref="Status"/> is Ok.</summary>
    public bool IsOk => Status == KvStatus.Ok;
}
