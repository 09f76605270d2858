namespace Dfs.Gateway.Http;

/// <summary>A held lock: pass <c>token</c> in <c>X-Dfs-Lock-Token</c> to write, renew or release.</summary>
public sealed record LockJson(string Path, string Owner, string Token, string Expires);

/// <summary>A path's lock: its holder and queue.</summary>
public sealed record LockQueueJson(string Path, string? Holder, IReadOnlyList<string> Queue);
