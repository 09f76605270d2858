namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One master as the gateway sees it; role, term and commit index are null while it does not answer.</summary>
public sealed record MasterInfo(string Id, string Address, string? Role, long? Term, long? CommitIndex, bool Healthy, int? Pid);
