namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>GET /api/cluster/masters</c> (and to an add or a remove): the masters' group as its leader knows it.</summary>
public sealed record MasterMembers(string? Leader, IReadOnlyList<MasterMember>? Members);

/// <summary>One member of the masters' group.</summary>
/// <param name="Role"><c>voter</c>, or <c>learner</c> while it catches up.</param>
public sealed record MasterMember(string Id, string Role, bool Leader, string? Host, int? RaftPort, int? ApiPort, int? ConsensusPort);
