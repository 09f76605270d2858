namespace Dfs.Nemesis.Tests;

/// <summary>The faults the nemesis injects, one at a time, each healed before the next.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL a master, restart it from its files.</summary>
    KillMaster,

    /// <summary>SIGKILL a chunk server, restart it from its files.</summary>
    KillChunkServer,

    /// <summary>SIGSTOP a master or chunk server for longer than the election timeout, then SIGCONT.</summary>
    Pause,

    /// <summary>Cut a master's link (its bridge port down), then heal it.</summary>
    Partition,

    /// <summary>Flip bytes in one chunk replica's data file on disk.</summary>
    CorruptReplica,

    /// <summary>Fill a chunk server's disk (a tmpfs) to the last byte, then free it.</summary>
    FillDisk,

    /// <summary>SIGKILL a master, cut its newest log segment mid-record, restart it.</summary>
    TearLog,
}
