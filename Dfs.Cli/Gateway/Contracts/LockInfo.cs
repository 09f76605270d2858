namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The lock part of a file's metadata: who holds it (null when free) and who waits.</summary>
public sealed record LockInfo(string? Holder, IReadOnlyList<string>? Queue);
