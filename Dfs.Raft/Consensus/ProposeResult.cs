namespace Dfs.Raft.Consensus;

/// <summary>Why a proposal was refused.</summary>
public enum ProposeRejection : byte
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>This node is not the leader; <see cref="ProposeResult.LeaderHint"/> names the leader if known.</summary>
    NotLeader = 1,

    /// <summary>The leader is handing over leadership and accepts nothing until the transfer ends.</summary>
    TransferInProgress = 2,

    /// <summary>Too many bytes are proposed but not yet committed (<see cref="RaftOptions.MaxUncommittedBytes"/>).</summary>
    TooManyUncommitted = 3,

    /// <summary>
    /// A configuration change is still uncommitted, or the leader has not yet committed an entry of its own
    /// term (the fix to single-server changes: a change may only follow an entry of the current term).
    /// </summary>
    ConfigurationChangePending = 4,

    /// <summary>The change does not apply to the configuration in force (unknown node, already a member, last voter).</summary>
    InvalidConfigurationChange = 5,

    /// <summary>The learner to promote has not caught up with the leader's log yet.</summary>
    LearnerNotCaughtUp = 6,
}

/// <summary>The outcome of a proposal: where the entry went, or why it was refused.</summary>
/// <param name="Accepted">The entry was appended to the leader's log (not yet committed).</param>
/// <param name="Index">The entry's log index when accepted; 0 otherwise.</param>
/// <param name="Term">The entry's term when accepted; 0 otherwise.</param>
/// <param name="LeaderHint">The leader this node knows of, when refused with <see cref="ProposeRejection.NotLeader"/>.</param>
/// <param name="Rejection">Why it was refused.</param>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, string? LeaderHint, ProposeRejection Rejection)
{
    internal static ProposeResult Ok(long index, long term) => new(true, index, term, null, ProposeRejection.None);

    internal static ProposeResult Refused(ProposeRejection why, string? leaderHint = null) => new(false, 0, 0, leaderHint, why);
}
