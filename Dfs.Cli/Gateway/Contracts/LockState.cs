namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>GET /api/locks/{path}</c>.</summary>
public sealed record LockState(string Path, string? Holder, IReadOnlyList<string>? Queue);
