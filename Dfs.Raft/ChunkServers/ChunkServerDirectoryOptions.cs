using Dfs.Common.Configuration;
using Dfs.Common.Validation;

namespace Dfs.Raft.ChunkServers;

/// <summary>How a master's <see cref="ChunkServerDirectory"/> judges chunk servers and paces the leader's duties. Every field has a default.</summary>
public sealed record ChunkServerDirectoryOptions
{
    /// <summary>Replicas each chunk should have on live, non-draining servers. Default 3.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>A server not heard from for this long is dead: its replicas stop counting and are copied elsewhere. Default 5 s.</summary>
    public TimeSpan DeadAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the duty loop runs (membership refresh everywhere; re-replication, repair and stale removal on the leader). Default 250 ms.</summary>
    public TimeSpan DutyInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A copy not reported done within this long is given up and retried on another server. Default 30 s.</summary>
    public TimeSpan CopyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Copies a server takes part in at once, as source or target. Default 4.</summary>
    public int MaxCopiesPerServer { get; init; } = 4;

    /// <summary>Copies in flight across the cluster at once. Default 64.</summary>
    public int MaxCopiesInFlight { get; init; } = 64;

    /// <summary>A server with less free space than this is full and gets no new chunk. Default 64 MiB (one chunk).</summary>
    public long MinimumFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The options the cluster config implies.</summary>
    public static ChunkServerDirectoryOptions From(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new ChunkServerDirectoryOptions();
        return new ChunkServerDirectoryOptions
        {
            ReplicationFactor = config.ReplicationFactor,
            DeadAfter = TimeSpan.FromMilliseconds(config.ChunkServerDeadMs),
            // Often enough that a copy starts well within a heartbeat of a death being declared.
            DutyInterval = TimeSpan.FromMilliseconds(Math.Clamp(config.ChunkServerHeartbeatMs / 4, 20, (int)defaults.DutyInterval.TotalMilliseconds)),
            MinimumFreeBytes = config.ChunkSizeBytes,
        };
    }

    /// <exception cref="ArgumentException">Every broken rule, named.</exception>
    public void Validate() => new OptionsCheck()
        .Require(ReplicationFactor >= 1, $"ReplicationFactor must be at least 1 (is {ReplicationFactor}).")
        .Require(DeadAfter > TimeSpan.Zero, $"DeadAfter must be positive (is {DeadAfter}).")
        .Require(DutyInterval > TimeSpan.Zero, $"DutyInterval must be positive (is {DutyInterval}).")
        .Require(CopyTimeout > TimeSpan.Zero, $"CopyTimeout must be positive (is {CopyTimeout}).")
        .Require(MaxCopiesPerServer >= 1, $"MaxCopiesPerServer must be at least 1 (is {MaxCopiesPerServer}).")
        .Require(MaxCopiesInFlight >= 1, $"MaxCopiesInFlight must be at least 1 (is {MaxCopiesInFlight}).")
        .Require(MinimumFreeBytes >= 0, $"MinimumFreeBytes must not be negative (is {MinimumFreeBytes}).")
        .ThrowIfAny();
}
