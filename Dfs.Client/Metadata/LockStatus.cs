namespace Dfs.Client.Metadata;

/// <summary>A client's place at a path's lock.</summary>
/// <param name="Held">The caller holds the lock.</param>
/// <param name="Position">0 when holding; else how many contenders were ahead when last read; -1 when not queued.</param>
/// <param name="Holder">Who holds the lock, if anyone.</param>
public sealed record LockStatus(bool Held, int Position, LockHolder? Holder);

/// <summary>The holder of a path's lock.</summary>
/// <param name="ClientId">The holder's client id.</param>
/// <param name="LeaseId">The lease that keeps the hold alive.</param>
public sealed record LockHolder(string ClientId, long LeaseId);
