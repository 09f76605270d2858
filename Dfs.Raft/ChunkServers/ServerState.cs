using Dfs.Client.ChunkServers;

namespace Dfs.Raft.ChunkServers;

/// <summary>One chunk server as one master knows it: heard from heartbeats, and its membership record. Guarded by the directory's lock.</summary>
internal sealed class ServerState(string id, int index)
{
    public string Id { get; } = id;

    /// <summary>Its place in the directory's list of servers, as chunks record their holders (<see cref="ChunkState"/>).</summary>
    public int Index { get; } = index;

    public string Host { get; set; } = "";

    public int Port { get; set; }

    public long CapacityBytes { get; set; }

    public long UsedBytes { get; set; }

    public long FreeBytes { get; set; }

    public int Load { get; set; }

    public int Pid { get; set; }

    /// <summary>Timestamp of the last heartbeat; null when none reached this master since it started.</summary>
    public long? LastHeard { get; set; }

    /// <summary>Whether it was alive at the last duty pass, to log a death or a return once.</summary>
    public bool WasAlive { get; set; }

    /// <summary>Chunks placed on it since its last heartbeat, counted as load so concurrent writers spread.</summary>
    public int PendingPlacements { get; set; }

    /// <summary>How many replicas it holds (the chunks that list it as a holder).</summary>
    public int ChunkCount { get; set; }

    /// <summary>A full report reached this master since it started: the chunks listing it as a holder are all it holds.</summary>
    public bool ReportComplete { get; set; }

    /// <summary>Chunks named so far by the full report in progress; null when none is.</summary>
    public HashSet<ulong>? Reporting { get; set; }

    /// <summary>The page the full report in progress expects next.</summary>
    public int NextPage { get; set; }

    /// <summary>Its record in the replicated store; null while it has none.</summary>
    public ChunkServerMember? Member { get; set; }

    /// <summary>A write of its membership record is under way (leader only).</summary>
    public bool MemberWriteInFlight { get; set; }

    public bool Draining => Member?.Draining ?? false;

    /// <summary>Chunks the leader wants deleted from it, sent in its next heartbeat reply.</summary>
    public HashSet<ulong> DeleteOrders { get; } = [];

    /// <summary>Copies the leader wants it to make, sent in its next heartbeat reply.</summary>
    public List<ReplicateCommand> ReplicateOrders { get; } = [];

    /// <summary>Copies in flight it takes part in, as source or target.</summary>
    public int Copies { get; set; }

    public ChunkServerAddress Address => new(Id, Host, Port);
}
