using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

/// <summary>A node's role.</summary>
public enum RaftRole : byte
{
    Follower = 0,
    PreCandidate = 1,
    Candidate = 2,
    Leader = 3,
}

/// <summary>Volatile state a host shows to operators and routes requests by; reported when it changes.</summary>
public sealed record SoftState(RaftRole Role, string? LeaderId, long Term);

/// <summary>A confirmed linearizable read: the read asked for as <see cref="RequestId"/> may be served once the state machine has applied <see cref="ReadIndex"/>.</summary>
public readonly record struct ReadState(long RequestId, long ReadIndex);

/// <summary>A snapshot received from the leader, to persist and restore before anything else in the same <see cref="Ready"/>.</summary>
/// <param name="KeepsLog">
/// The stored log already holds the snapshot's last entry with its term (Raft Figure 13, step 6): the host
/// compacts the log through the snapshot's index and keeps what follows, which the node may have acknowledged.
/// When false the host resets the log to start right after the snapshot.
/// </param>
public sealed record ReceivedSnapshot(SnapshotMetadata Metadata, SnapshotPayload Payload, bool KeepsLog = false);

/// <summary>
/// Everything the core needs the host to do, in one batch (the etcd-raft "ready" shape). The host handles a
/// Ready in this order, then calls <c>RaftNode.Advance</c>:
/// <list type="number">
/// <item>send <see cref="Messages"/> at once (they promise nothing about local disk: the leader's
/// replication goes out while its own write is in progress, thesis §10.2.1);</item>
/// <item>persist <see cref="Snapshot"/>, then <see cref="Entries"/>, then <see cref="HardState"/>, and
/// fsync once;</item>
/// <item>send <see cref="MessagesAfterPersist"/> (votes and acknowledgements: they promise the state is durable);</item>
/// <item>apply <see cref="CommittedEntries"/> in order, then serve <see cref="ReadStates"/> whose index is applied.</item>
/// </list>
/// </summary>
public sealed class Ready
{
    /// <summary>Role or leader changed since the last Ready; null when not.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Term, vote or commit changed and must be persisted; null when not.</summary>
    public HardState? HardState { get; init; }

    /// <summary>
    /// Entries to append to the durable log, in index order. If the first index is at or below the stored
    /// log's last index, the stored entries from that index on are replaced (a conflict was found).
    /// </summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>A snapshot from the leader that replaces the state machine and the log before it (see <see cref="ReceivedSnapshot.KeepsLog"/>).</summary>
    public ReceivedSnapshot? Snapshot { get; init; }

    /// <summary>Messages that may be sent before this Ready is persisted.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; init; } = [];

    /// <summary>Messages that must not leave until this Ready is persisted.</summary>
    public IReadOnlyList<RaftMessage> MessagesAfterPersist { get; init; } = [];

    /// <summary>Committed entries to apply, in order, each exactly once.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; init; } = [];

    /// <summary>Reads confirmed since the last Ready.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>True if there is nothing to do.</summary>
    public bool IsEmpty =>
        SoftState is null && HardState is null && Snapshot is null && Entries.Count == 0 && Messages.Count == 0 &&
        MessagesAfterPersist.Count == 0 && CommittedEntries.Count == 0 && ReadStates.Count == 0;
}
