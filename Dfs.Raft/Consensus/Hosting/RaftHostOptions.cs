using Dfs.Common.Validation;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>Settings of a <see cref="RaftHost"/>; every field has a default but the node id and the members.</summary>
public sealed record RaftHostOptions
{
    /// <summary>This node's id.</summary>
    public required string NodeId { get; init; }

    /// <summary>The voters of a brand-new group (ignored once the log or a snapshot names the members).</summary>
    public required IReadOnlyList<string> Members { get; init; }

    /// <summary>Length of one logical clock tick. Default 10 ms.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Minimum time without a leader before a follower campaigns; each timeout is drawn from
    /// [ElectionTimeout, 2 × ElectionTimeout). Default 300 ms, so a new leader is usually in place well within a second.
    /// </summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Time between a leader's heartbeats. Default 50 ms.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Entries applied since the last snapshot that trigger a new one (then the log is compacted). Default 10,000.</summary>
    public long SnapshotThreshold { get; init; } = 10_000;

    /// <summary>How long <see cref="RaftHost.StopAsync"/> waits for a leadership transfer before stopping anyway. Default 2 s.</summary>
    public TimeSpan StopTransferTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long <see cref="RaftHost.AddMemberAsync"/> waits for a learner to catch up before giving up. Default 60 s.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Events handled between two Readys at most (bounds the latency of one batch). Default 1024.</summary>
    public int MaxEventsPerReady { get; init; } = 1024;

    /// <summary>Run a pre-vote round before a real election. Default on.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>Leaders step down without a quorum, followers ignore votes while they hear a leader. Default on.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Upper bound of entry bytes per AppendEntries. Default 1 MiB.</summary>
    public int MaxBytesPerMessage { get; init; } = 1 << 20;

    /// <summary>AppendEntries in flight per follower. Default 64.</summary>
    public int MaxInflightMessages { get; init; } = 64;

    /// <summary>Uncommitted bytes beyond which proposals are refused. Default 64 MiB.</summary>
    public long MaxUncommittedBytes { get; init; } = 64L << 20;

    /// <summary>Election timeout in ticks.</summary>
    public int ElectionTicks => (int)Math.Max(1, Math.Round(ElectionTimeout / TickInterval));

    /// <summary>Heartbeat interval in ticks.</summary>
    public int HeartbeatTicks => (int)Math.Max(1, Math.Round(HeartbeatInterval / TickInterval));

    /// <summary>Validates the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate()
    {
        var check = new OptionsCheck()
            .Require(!string.IsNullOrWhiteSpace(NodeId), "NodeId must be set.")
            .Require(Members is { Count: > 0 } && !Members.Any(string.IsNullOrWhiteSpace) && Members.Distinct().Count() == Members.Count,
                "Members must list at least one member, each id non-empty and distinct.")
            .Require(TickInterval >= TimeSpan.FromMilliseconds(1), $"TickInterval ({TickInterval.TotalMilliseconds} ms) must be at least 1 ms.")
            .Require(HeartbeatInterval >= TickInterval,
                $"HeartbeatInterval ({HeartbeatInterval.TotalMilliseconds} ms) must be at least one tick ({TickInterval.TotalMilliseconds} ms).")
            .Require(ElectionTimeout >= 3 * HeartbeatInterval,
                $"ElectionTimeout ({ElectionTimeout.TotalMilliseconds} ms) must be at least three heartbeat intervals ({3 * HeartbeatInterval.TotalMilliseconds} ms).")
            .Require(SnapshotThreshold >= 1, $"SnapshotThreshold ({SnapshotThreshold}) must be positive.")
            .Require(MaxEventsPerReady >= 1, $"MaxEventsPerReady ({MaxEventsPerReady}) must be positive.")
            .Require(StopTransferTimeout >= TimeSpan.Zero, $"StopTransferTimeout must not be negative (is {StopTransferTimeout}).")
            .Require(CatchUpTimeout > TimeSpan.Zero, $"CatchUpTimeout must be positive (is {CatchUpTimeout}).");
        check.ThrowIfAny();
        // The core's own rules, on the ticks these times give (checked once the times themselves are sane).
        ToRaftOptions().Validate();
    }

    /// <summary>The core's options these settings imply.</summary>
    public RaftOptions ToRaftOptions() => new()
    {
        Id = NodeId,
        ElectionTicks = ElectionTicks,
        HeartbeatTicks = HeartbeatTicks,
        PreVote = PreVote,
        CheckQuorum = CheckQuorum,
        MaxBytesPerMessage = MaxBytesPerMessage,
        MaxInflightMessages = MaxInflightMessages,
        MaxUncommittedBytes = MaxUncommittedBytes,
    };
}
