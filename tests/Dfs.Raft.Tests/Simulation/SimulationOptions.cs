namespace Dfs.Raft.Tests.Simulation;

/// <summary>The shape of one simulated run; the seed draws everything else (fault rates, delays, schedules).</summary>
public sealed record SimulationOptions
{
    public int NodeCount { get; init; } = 3;

    public int ClientCount { get; init; } = 3;

    /// <summary>Virtual time with faults and client traffic, in microseconds.</summary>
    public long FaultPhaseUs { get; init; } = 3_000_000;

    /// <summary>After healing everything: the bound for electing a leader, committing a final command and converging.</summary>
    public long LivenessBoundUs { get; init; } = 10_000_000;

    /// <summary>Virtual length of one tick (each node drifts a little from it).</summary>
    public long TickUs { get; init; } = 10_000;

    public int ElectionTicks { get; init; } = 10;

    public bool Crashes { get; init; } = true;

    public bool Partitions { get; init; } = true;

    public bool Snapshots { get; init; } = true;

    /// <summary>
    /// Voters of the initial configuration (the first nodes); the others start outside the group and the
    /// nemesis adds them as learners, promotes and removes members one at a time. 0: every node is a voter.
    /// </summary>
    public int InitialVoters { get; init; }

    /// <summary>Highest message drop probability a seed may draw.</summary>
    public double MaxDropProbability { get; init; } = 0.1;

    /// <summary>Highest message duplication probability a seed may draw.</summary>
    public double MaxDuplicateProbability { get; init; } = 0.05;

    /// <summary>A deliberately wrong host, to show the checks catch what it breaks. Default none.</summary>
    public HostFault HostFault { get; init; } = HostFault.None;

    /// <summary>The host's order for every seed; null (the default) lets each seed draw it, so both are covered.</summary>
    public HostOrder? HostOrder { get; init; }

    /// <summary>Trace lines kept for a failure report.</summary>
    public int TraceCapacity { get; init; } = 60;

    /// <summary>Notes every delivered message in the trace (for reading a replayed failure; the run itself is unchanged).</summary>
    public bool TraceMessages { get; init; }

    public static SimulationOptions ThreeNodes { get; } = new();

    public static SimulationOptions FiveNodes { get; } = new() { NodeCount = 5, ClientCount = 4 };

    /// <summary>Three voters and two spare nodes, with membership changes among the faults.</summary>
    public static SimulationOptions Membership { get; } = new() { NodeCount = 5, ClientCount = 3, InitialVoters = 3 };

    /// <summary>A scenario by its property name (<c>ThreeNodes</c>, <c>FiveNodes</c>, <c>Membership</c>).</summary>
    public static SimulationOptions Named(string scenario) => scenario switch
    {
        nameof(ThreeNodes) => ThreeNodes,
        nameof(FiveNodes) => FiveNodes,
        nameof(Membership) => Membership,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Scenarios: ThreeNodes, FiveNodes, Membership."),
    };
}

/// <summary>Ways a host can break the Ready contract (for showing that the simulation notices).</summary>
public enum HostFault
{
    None,

    /// <summary>Never fsyncs: a crash loses writes the node already acknowledged or voted on.</summary>
    SkipsFsync,

    /// <summary>Sends votes and acknowledgements before persisting what they promise.</summary>
    AcknowledgesBeforePersist,
}

/// <summary>How the simulated host takes and persists Readys.</summary>
public enum HostOrder
{
    /// <summary>One Ready at a time: persist, fsync, acknowledge, apply, Advance, then the next.</summary>
    Sequential,

    /// <summary>As RaftHost: several Readys in flight, one fsync per batch, applies before the local fsync.</summary>
    Pipelined,
}
