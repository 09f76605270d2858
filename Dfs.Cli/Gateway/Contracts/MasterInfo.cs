namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One master as the gateway sees it.</summary>
public sealed record MasterInfo(string Id, string Address, string Role, long Term, long CommitIndex, bool Healthy, int? Pid);
