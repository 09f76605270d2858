using Dfs.Client.Metadata;

namespace Dfs.Client.Master.Protocol;

/// <summary>Why a master did not carry out a request, as its edges report it.</summary>
/// <param name="Code">What went wrong; it decides whether and where to retry.</param>
/// <param name="Message">What happened and what to do about it, for a person.</param>
/// <param name="LeaderId">With <see cref="MasterErrorCode.NotLeader"/>: the master that leads.</param>
public sealed record MasterError(MasterErrorCode Code, string Message, string? LeaderId = null)
{
    /// <summary>With <see cref="MasterErrorCode.Metadata"/>: the metadata rule that was broken.</summary>
    public MetadataErrorCode? MetadataCode { get; init; }

    /// <summary>The exception a caller sees: a <see cref="MetadataException"/> for a metadata refusal, else a <see cref="MasterException"/>.</summary>
    public Exception ToException() => Code == MasterErrorCode.Metadata && MetadataCode is { } metadata
        ? new MetadataException(metadata, Message)
        : new MasterException(Code, Message, LeaderId);
}
