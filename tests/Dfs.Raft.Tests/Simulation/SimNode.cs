using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>One simulated master: its disk survives crashes; everything else is rebuilt on restart.</summary>
internal sealed class SimNode(int index, string id, long tickUs, long clockOffsetUs)
{
    public int Index { get; } = index;
    public string Id { get; } = id;

    /// <summary>This node's tick length: the nominal tick with a little drift.</summary>
    public long TickUs { get; } = tickUs;

    /// <summary>How far this node's wall clock is off the virtual time.</summary>
    public long ClockOffsetUs { get; } = clockOffsetUs;

    public InMemoryRaftLogStore LogStore { get; } = new();
    public InMemorySnapshotStore SnapshotStore { get; } = new();

    public bool Up { get; set; }

    /// <summary>Bumped on every crash: events scheduled for an earlier life are ignored.</summary>
    public int Incarnation { get; set; }

    public RaftNode? Raft { get; set; }
    public SessionStateMachine? Machine { get; set; }
    public KeyAppendStateMachine? Inner { get; set; }

    /// <summary>A Ready is being persisted; the next one waits for its Advance.</summary>
    public bool Persisting { get; set; }

    /// <summary>Work that arrived while persisting, in a host that handles one thing at a time.</summary>
    public Queue<Action<RaftNode>> Inbox { get; } = new();

    /// <summary>Pipelined host: jobs queued for the persistence stage and not yet written.</summary>
    public Queue<SimPersistJob> PersistQueue { get; } = new();

    /// <summary>Pipelined host: the persistence stage is writing or syncing a batch.</summary>
    public bool DiskBusy { get; set; }

    /// <summary>Pipelined host: jobs queued or being persisted, not yet reported back to the loop.</summary>
    public int PersistJobsInFlight { get; set; }

    /// <summary>Pipelined host: a Ready carrying a snapshot from the leader, waiting until nothing is in flight.</summary>
    public Ready? SnapshotReadyWaiting { get; set; }

    /// <summary>Nothing of the host's is in flight: every Ready taken was advanced and the inbox is empty.</summary>
    public bool Idle => !Persisting && Inbox.Count == 0 && PersistJobsInFlight == 0 && SnapshotReadyWaiting is null && !DiskBusy;

    public long LastAppliedIndex { get; set; }
    public long LastAppliedTerm { get; set; }
    public long LastSnapshotIndex { get; set; }

    /// <summary>The configuration as of <see cref="LastAppliedIndex"/>: what a snapshot taken now covers.</summary>
    public ClusterConfiguration? AppliedConfiguration { get; set; }

    /// <summary>Term whose leader commit index was last reported to the checker, and that index.</summary>
    public long ObservedCommitTerm { get; set; } = -1;
    public long ObservedCommitIndex { get; set; }

    public RaftRole LastRole { get; set; }

    public Dictionary<long, PendingWrite> PendingWrites { get; } = [];
    public Dictionary<long, PendingRead> PendingReads { get; } = [];
    public List<(long ReadIndex, PendingRead Read)> ConfirmedReads { get; } = [];
    public long NextReadId { get; set; }

    public long WallClockMs(long nowUs) => (nowUs + ClockOffsetUs) / 1000;

    public void ForgetVolatileState()
    {
        Raft = null;
        Machine = null;
        Inner = null;
        Persisting = false;
        Inbox.Clear();
        PersistQueue.Clear();
        DiskBusy = false;
        PersistJobsInFlight = 0;
        SnapshotReadyWaiting = null;
        PendingWrites.Clear();
        PendingReads.Clear();
        ConfirmedReads.Clear();
        ObservedCommitTerm = -1;
        ObservedCommitIndex = 0;
        LastRole = RaftRole.Follower;
    }
}

/// <summary>A job of the pipelined host's persistence stage: a Ready to write, or a log compaction (when <see cref="Ready"/> is null).</summary>
internal sealed record SimPersistJob(Ready? Ready, long CompactThrough);

/// <summary>A write proposed on this node for a client, waiting for its index to be applied.</summary>
internal sealed record PendingWrite(SimClient Client, long OpNo, int Attempt, long Term);

/// <summary>A read asked of this node's core, waiting for its ReadState and then for the apply.</summary>
internal sealed record PendingRead(SimClient Client, long OpNo, int Attempt, string Key);
