using Dfs.ChunkServer.Storage;
using Dfs.Common.Configuration;

namespace Dfs.ChunkServer.Server;

/// <summary>A chunk server's options as config.json gives them: its node entry, the cluster's data folder and the chunk-server tuning.</summary>
public sealed record ChunkServerSettings(ChunkServerOptions Server, FileChunkStoreOptions Store, ChunkScrubberOptions Scrubber)
{
    /// <summary>The settings of chunk server <paramref name="id"/>; <paramref name="host"/> and <paramref name="port"/> override the config's.</summary>
    /// <exception cref="ConfigurationException">The config has no such chunk server.</exception>
    /// <exception cref="ArgumentException">The resulting options break a rule (every broken rule named).</exception>
    public static ChunkServerSettings From(ClusterConfig config, string id, string? host = null, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config.ChunkServer(id);
        var tuning = config.ChunkServerTuning;
        var server = new ChunkServerOptions { Host = host ?? node.Host, Port = port ?? node.Port, MetricsPort = node.MetricsPort };
        server = server with
        {
            AckTimeout = tuning.PipelineAckTimeoutMs is { } ack ? TimeSpan.FromMilliseconds(ack) : server.AckTimeout,
            PendingWriteTimeout = tuning.PendingWriteTimeoutMs is { } pending ? TimeSpan.FromMilliseconds(pending) : server.PendingWriteTimeout,
        };
        var defaults = new ChunkScrubberOptions();
        var scrubber = new ChunkScrubberOptions
        {
            BytesPerSecond = tuning.ScrubBytesPerSecond ?? defaults.BytesPerSecond,
            BurstBytes = defaults.BurstBytes,
            PassInterval = tuning.ScrubPassIntervalSeconds is { } pass ? TimeSpan.FromSeconds(pass) : defaults.PassInterval,
            InitialDelay = defaults.InitialDelay,
        };
        var store = new FileChunkStoreOptions { RootPath = config.DataDirectoryFor(id), CapacityBytes = node.CapacityBytes };
        server.Validate();
        scrubber.Validate();
        store.Validate();
        return new ChunkServerSettings(server, store, scrubber);
    }
}
