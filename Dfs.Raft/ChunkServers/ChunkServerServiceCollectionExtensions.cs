using Dfs.Common.Configuration;

namespace Dfs.Raft.ChunkServers;

/// <summary>Composes a master's chunk-server directory and the leader's duties over chunks.</summary>
public static class ChunkServerServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ChunkServerDirectory"/> (also as <see cref="IChunkServerDirectory"/>), its hosted <see cref="ChunkServerDuties"/> loop and its <see cref="ChunkServerDirectoryMetrics"/>.</summary>
    public static IServiceCollection AddChunkServerDirectory(this IServiceCollection services, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = ChunkServerDirectoryOptions.From(config);
        services.AddSingleton(sp => new ChunkServerDirectory(options, sp.GetRequiredService<Master.IMasterKv>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ChunkServerDirectory>>()));
        services.AddSingleton<IChunkServerDirectory>(sp => sp.GetRequiredService<ChunkServerDirectory>());
        services.AddHostedService<ChunkServerDuties>();
        services.AddSingleton<ChunkServerDirectoryMetrics>();
        return services;
    }
}
