using Dfs.Common.Configuration;

namespace Dfs.Raft.ChunkServers;

/// <summary>Composes a master's chunk-server directory and the leader's duties over chunks.</summary>
public static class ChunkServerServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ChunkServerDirectory"/> (also as <see cref="IChunkServerDirectory"/>) and its hosted <see cref="ChunkServerDuties"/> loop.</summary>
    public static IServiceCollection AddChunkServerDirectory(this IServiceCollection services, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = ChunkServerDirectoryOptions.From(config);
        services.AddSingleton(sp => new ChunkServerDirectory(options, sp.GetRequiredService<Master.IMasterKv>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ChunkServerDirectory>>()));
        services.AddSingleton<IChunkServerDirectory>(sp => sp.GetRequiredService<ChunkServerDirectory>());
        services.AddHostedService<ChunkServerDuties>();
        return services;
    }
}
