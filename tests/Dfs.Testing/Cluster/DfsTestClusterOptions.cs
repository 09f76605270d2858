using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Raft.Consensus.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Testing.Cluster;

/// <summary>The shape of a <see cref="DfsTestCluster"/>. Every field has a default that suits a test.</summary>
public sealed record DfsTestClusterOptions
{
    /// <summary>Masters m1..mN. Default 3.</summary>
    public int Masters { get; init; } = 3;

    /// <summary>Chunk servers c1..cM. Default 3.</summary>
    public int ChunkServers { get; init; } = 3;

    /// <summary>One clock for every node (a <see cref="FakeTimeProvider"/>, say). Default the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Raft election timeout written into the cluster config. Default 300 ms.</summary>
    public int ElectionTimeoutMs { get; init; } = 300;

    /// <summary>Raft heartbeat interval written into the cluster config. Default 30 ms.</summary>
    public int HeartbeatIntervalMs { get; init; } = 30;

    /// <summary>How often each chunk server heartbeats to every master, written into the cluster config. Default 200 ms.</summary>
    public int ChunkServerHeartbeatMs { get; init; } = 200;

    /// <summary>After how long without a heartbeat the masters declare a chunk server dead, written into the cluster config. Default 1500 ms.</summary>
    public int ChunkServerDeadMs { get; init; } = 1500;

    /// <summary>Whether chunk servers heartbeat to the masters (join the cluster). Default true.</summary>
    public bool ChunkServerHeartbeats { get; init; } = true;

    /// <summary>Adjusts every master's Raft host options (a snapshot threshold, say). Default none.</summary>
    public Func<RaftHostOptions, RaftHostOptions>? ConfigureRaft { get; init; }

    /// <summary>Every chunk server's options; host and port are set by the cluster. Default the defaults.</summary>
    public ChunkServerOptions ChunkServer { get; init; } = new();

    /// <summary>The scrubber of each file store; null runs none. Default none, so a test's reads are not raced by a scrub.</summary>
    public ChunkScrubberOptions? Scrubber { get; init; }

    /// <summary>
    /// Gives chunk server <c>index</c> (0-based) a store the caller owns instead of a file store in its folder;
    /// null for a file store. Default null: file stores everywhere.
    /// </summary>
    public Func<int, IChunkStore?>? ChunkStore { get; init; }

    /// <summary>
    /// Adds to or replaces services of master <c>id</c> after it is composed (a test's chunk-server directory, say); later
    /// registrations win. Default none.
    /// </summary>
    public Action<string, IServiceCollection>? ConfigureMasterServices { get; init; }

    /// <summary>How long the cluster's own waits (start, leader) last. Default 20 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Logging of every node. Default nothing, or the console when DFS_TEST_LOG=1.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; } =
        Environment.GetEnvironmentVariable("DFS_TEST_LOG") == "1"
            ? l => l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(LogLevel.Debug)
            : null;
}
