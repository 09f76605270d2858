namespace Dfs.Raft.Tests.Simulation;

/// <summary>The outcome of one seed.</summary>
public sealed record SimulationResult(
    int Seed,
    IReadOnlyList<Violation> Violations,
    string Trace,
    ulong Digest,
    long Events,
    long EndTimeUs,
    SimulationStats Stats)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>The failure report: seed, first violation, how to replay, and the last trace lines.</summary>
    public string Describe() =>
        $"seed {Seed}: {(Passed ? "passed" : Violations[0].ToString())}" + Environment.NewLine +
        $"  replay: DFS_SIM_SEED={Seed} dotnet test tests/Dfs.Raft.Tests --filter \"FullyQualifiedName~Simulation\"" + Environment.NewLine +
        $"  {Stats}" + Environment.NewLine +
        Trace;
}

/// <summary>What a run exercised, to show the faults really happened.</summary>
public sealed class SimulationStats
{
    public int Crashes { get; set; }
    public int Partitions { get; set; }
    public int LeadersElected { get; set; }
    public int SnapshotsTaken { get; set; }
    public int SnapshotsInstalled { get; set; }
    public int SnapshotsSent { get; set; }
    public int Transfers { get; set; }

    /// <summary>Times a follower heard its leader's connection close (a crash, or a false alarm) and so stopped waiting for it.</summary>
    public int LeaderConnectionsClosed { get; set; }
    public int MembershipChanges { get; set; }
    public int AcknowledgedWrites { get; set; }
    public int DuplicateAnswers { get; set; }
    public int Reads { get; set; }
    public int SessionsExpired { get; set; }
    public int OperationsAbandoned { get; set; }
    public long MessagesSent { get; set; }
    public long MessagesDropped { get; set; }
    public long MaxCommitIndex { get; set; }
    public bool StepWhilePersisting { get; set; }

    /// <summary>Runs whose host was pipelined (several Readys in flight).</summary>
    public int PipelinedRuns { get; set; }

    /// <summary>Pipelined host: fsyncs that made more than one Ready durable at once.</summary>
    public long CoalescedSyncs { get; set; }

    /// <summary>Pipelined host: Readys taken while earlier ones were still being persisted.</summary>
    public long ReadiesTakenWhilePersisting { get; set; }

    /// <summary>Pipelined host: snapshot Readys that waited for the persistence stage to go idle.</summary>
    public long SnapshotReadiesWaited { get; set; }

    /// <summary>Messages sent, by type.</summary>
    public SortedDictionary<string, long> MessagesByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Client proposals refused, by node and reason.</summary>
    public SortedDictionary<string, long> ProposalsRefused { get; } = new(StringComparer.Ordinal);

    public void Add(SimulationStats other)
    {
        Crashes += other.Crashes;
        Partitions += other.Partitions;
        LeadersElected += other.LeadersElected;
        SnapshotsTaken += other.SnapshotsTaken;
        SnapshotsInstalled += other.SnapshotsInstalled;
        SnapshotsSent += other.SnapshotsSent;
        Transfers += other.Transfers;
        LeaderConnectionsClosed += other.LeaderConnectionsClosed;
        MembershipChanges += other.MembershipChanges;
        AcknowledgedWrites += other.AcknowledgedWrites;
        DuplicateAnswers += other.DuplicateAnswers;
        Reads += other.Reads;
        SessionsExpired += other.SessionsExpired;
        OperationsAbandoned += other.OperationsAbandoned;
        MessagesSent += other.MessagesSent;
        MessagesDropped += other.MessagesDropped;
        MaxCommitIndex = Math.Max(MaxCommitIndex, other.MaxCommitIndex);
        PipelinedRuns += other.PipelinedRuns;
        CoalescedSyncs += other.CoalescedSyncs;
        ReadiesTakenWhilePersisting += other.ReadiesTakenWhilePersisting;
        SnapshotReadiesWaited += other.SnapshotReadiesWaited;
        foreach (var (type, count) in other.MessagesByType)
        {
            MessagesByType[type] = MessagesByType.GetValueOrDefault(type) + count;
        }
        foreach (var (reason, count) in other.ProposalsRefused)
        {
            ProposalsRefused[reason] = ProposalsRefused.GetValueOrDefault(reason) + count;
        }
    }

    public override string ToString() =>
        $"crashes {Crashes}, partitions {Partitions}, leaders {LeadersElected}, transfers {Transfers}, leader connections closed {LeaderConnectionsClosed}, membership changes {MembershipChanges}, snapshots taken {SnapshotsTaken} " +
        $"sent {SnapshotsSent} installed {SnapshotsInstalled}, writes acked {AcknowledgedWrites} (duplicate answers {DuplicateAnswers}), " +
        $"reads {Reads}, sessions expired {SessionsExpired}, operations abandoned {OperationsAbandoned}, messages {MessagesSent} (dropped {MessagesDropped}; {string.Join(", ", MessagesByType.Select(p => $"{p.Key} {p.Value}"))}), " +
        $"max commit {MaxCommitIndex}, pipelined runs {PipelinedRuns} (Readys taken while persisting {ReadiesTakenWhilePersisting}, coalesced fsyncs {CoalescedSyncs}, " +
        $"snapshot Readys that waited {SnapshotReadiesWaited}), proposals refused: {string.Join(", ", ProposalsRefused.Select(p => $"{p.Key} {p.Value}"))}";
}
