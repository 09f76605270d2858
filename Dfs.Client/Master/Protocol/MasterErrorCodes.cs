using Dfs.Client.Kv;

namespace Dfs.Client.Master.Protocol;

/// <summary>Conversions to <see cref="MasterErrorCode"/> from the contracts' own failure kinds.</summary>
public static class MasterErrorCodes
{
    /// <summary>The code for a command the store refused with <paramref name="status"/>; null for <see cref="KvStatus.Ok"/>.</summary>
    public static MasterErrorCode? From(KvStatus status) => status switch
    {
        KvStatus.Ok => null,
        KvStatus.LeaseNotFound => MasterErrorCode.NotFound,
        KvStatus.LeaseExists => MasterErrorCode.Conflict,
        _ => MasterErrorCode.InvalidArgument,
    };

    /// <summary>
    /// True when the same request may succeed if sent again (to the leader, another master, or after a pause): a
    /// command is retried with its client id and sequence number, so it is applied at most once.
    /// </summary>
    /// <remarks>An <see cref="MasterErrorCode.Internal"/> failure is retried because it may be one master's fault (its disk, its shutdown).</remarks>
    public static bool IsRetryable(this MasterErrorCode code) =>
        code is MasterErrorCode.NotLeader or MasterErrorCode.NoLeader or MasterErrorCode.OutcomeUnknown or MasterErrorCode.Unavailable
            or MasterErrorCode.Internal;
}
