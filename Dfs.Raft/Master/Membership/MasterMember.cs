namespace Dfs.Raft.Master.Membership;

/// <summary>One member of the masters' group as <c>GET /raft/members</c> lists it.</summary>
/// <param name="Role"><c>voter</c>, or <c>learner</c> while a new member catches up.</param>
/// <param name="Host">Null (as are the ports) when no address is known for the member.</param>
public sealed record MasterMember(string Id, string Role, bool Leader, string? Host, int? RaftPort, int? ApiPort, int? ConsensusPort);

/// <summary>The answer of <c>GET /raft/members</c>: the group as the answering master knows it.</summary>
public sealed record MasterMembers(string? Leader, IReadOnlyList<MasterMember> Members);

/// <summary>The body of <c>POST /raft/members</c>: the new master and where it listens.</summary>
/// <param name="ConsensusPort">DotNext's Raft port (<c>"consensus": "dotnext"</c>); absent: <paramref name="RaftPort"/> + 1000.</param>
public sealed record AddMasterRequest(string? Id, string? Host, int RaftPort, int ApiPort, int? ConsensusPort);
