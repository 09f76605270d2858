namespace Dfs.Cli.Gateway.Contracts;

/// <summary>A held lock: the token to present on writes and on release, valid until <see cref="Expires"/> unless renewed.</summary>
public sealed record LockLease(string Path, string Owner, string Token, DateTimeOffset Expires);
