namespace Dfs.Client.Master.Protocol;

/// <summary>A decoded request.</summary>
public sealed record MasterRequest(MasterRequestKind Kind, Guid ClientId, long Sequence, long LowestUnanswered, ReadOnlyMemory<byte> Command);
