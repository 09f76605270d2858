using Dfs.Common.Validation;

namespace Dfs.Raft.Consensus;

/// <summary>Tuning of one Raft node. Times are in ticks; the host decides how long a tick is.</summary>
public sealed record RaftOptions
{
    /// <summary>This node's id in the group.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// Minimum ticks without hearing from a leader before a follower campaigns; each timeout is drawn at
    /// random from [ElectionTicks, 2 × ElectionTicks). Default 10.
    /// </summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats. Must be well below <see cref="ElectionTicks"/>. Default 1.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Run a pre-vote round before a real election (thesis §9.6). Default on.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>
    /// A leader that has not heard from a quorum within an election timeout steps down, and a follower that
    /// heard from a leader within the minimum election timeout refuses votes (thesis §6.2). Default on.
    /// </summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Upper bound of entry bytes in one AppendEntries message. Default 1 MiB.</summary>
    public int MaxBytesPerMessage { get; init; } = 1 << 20;

    /// <summary>AppendEntries messages with entries in flight to one follower at once (pipelining). Default 64.</summary>
    public int MaxInflightMessages { get; init; } = 64;

    /// <summary>Entries proposed but not yet committed, in bytes, beyond which proposals are refused. Default 64 MiB.</summary>
    public long MaxUncommittedBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Ticks a follower that answers may stay behind the leader's commit index before the leader reports it as
    /// lagging (<see cref="RaftNode.LaggingFollowers"/>). 0 means 3 × <see cref="ElectionTicks"/> (the default).
    /// </summary>
    public int LaggingAfterTicks { get; init; }

    /// <summary>The effective <see cref="LaggingAfterTicks"/>.</summary>
    public int LaggingTicks => LaggingAfterTicks > 0 ? LaggingAfterTicks : 3 * ElectionTicks;

    /// <summary>Validates the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the field's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(!string.IsNullOrEmpty(Id), "Id must be set.")
        .Require(HeartbeatTicks >= 1 && ElectionTicks > HeartbeatTicks,
            $"ElectionTicks ({ElectionTicks}) must exceed HeartbeatTicks ({HeartbeatTicks}) and both be positive.")
        .Require(MaxInflightMessages >= 1, $"MaxInflightMessages must be positive (is {MaxInflightMessages}).")
        .Require(MaxBytesPerMessage >= 1, $"MaxBytesPerMessage must be positive (is {MaxBytesPerMessage}).")
        .Require(LaggingAfterTicks >= 0, $"LaggingAfterTicks must not be negative (is {LaggingAfterTicks}).")
        .ThrowIfAny();
}

/// <summary>What a node starts from: the state its storage recovered, or a fresh group's configuration.</summary>
/// <param name="HardState">Persisted term, vote and commit.</param>
/// <param name="Snapshot">The latest persisted snapshot's metadata, if any; the log starts right after it.</param>
/// <param name="Entries">The persisted log entries after the snapshot, in order and contiguous.</param>
/// <param name="InitialConfiguration">The group's members when neither snapshot nor log names them (a brand-new group).</param>
public sealed record RaftBootState(HardState HardState, SnapshotMetadata? Snapshot, IReadOnlyList<LogEntry> Entries,
    ClusterConfiguration InitialConfiguration);
