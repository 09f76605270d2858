using Dfs.Raft.Consensus.Hosting;

namespace Dfs.Raft.Master;

/// <summary>What a host may change in a master's composition beyond the cluster config. Every field defaults to the process's choice.</summary>
public sealed record DfsMasterOptions
{
    /// <summary>The clock of the Raft host, its transport and the session layer. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Adjusts the Raft host options after the config and the master's defaults are applied. Default none.</summary>
    public Func<RaftHostOptions, RaftHostOptions>? ConfigureRaft { get; init; }

    /// <summary>
    /// Consulted with (this master, peer) before each Raft message is sent; a refused message is dropped. Default
    /// none. Lets an in-process test partition a master from the others.
    /// </summary>
    public Func<string, string, bool>? RaftSendFilter { get; init; }
}
