namespace Dfs.Client.Metadata;

/// <summary>The answer to a lock request.</summary>
/// <param name="Held">The owner holds the lock now.</param>
/// <param name="Owner">Who asked.</param>
/// <param name="LeaseId">The owner's lease: it keeps the hold (or the place in the queue) alive; 0 when not queued.</param>
/// <param name="Position">0 when held; else how many are ahead; -1 when not queued.</param>
/// <param name="Holder">Who holds the lock now, if anyone.</param>
/// <param name="ExpiresMs">When the lease ends unless kept alive (Unix ms, log time); 0 when not queued.</param>
public sealed record LockGrant(bool Held, string Owner, long LeaseId, int Position, LockHolder? Holder, long ExpiresMs);
