namespace Dfs.Client.Master.Protocol;

/// <summary>Why a master did not carry out a request, as its edges report it.</summary>
/// <param name="Code">What went wrong; it decides whether and where to retry.</param>
/// <param name="Message">What happened and what to do about it, for a person.</param>
/// <param name="LeaderId">With <see cref="MasterErrorCode.NotLeader"/>: the master that leads.</param>
public sealed record MasterError(MasterErrorCode Code, string Message, string? LeaderId = null)
{
    public MasterException ToException() => new(Code, Message, LeaderId);
}
