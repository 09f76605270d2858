namespace Dfs.Client.Master.Protocol;

/// <summary>A master refused or could not carry out a request; <see cref="Code"/> says why.</summary>
/// <param name="code">What went wrong.</param>
/// <param name="message">A message a person can act on.</param>
/// <param name="leaderId">With <see cref="MasterErrorCode.NotLeader"/>: the master that leads.</param>
public sealed class MasterException(MasterErrorCode code, string message, string? leaderId = null) : Exception(message)
{
    public MasterErrorCode Code { get; } = code;

    /// <summary>The leader the answering master named, when <see cref="Code"/> is <see cref="MasterErrorCode.NotLeader"/>.</summary>
    public string? LeaderId { get; } = leaderId;
}
