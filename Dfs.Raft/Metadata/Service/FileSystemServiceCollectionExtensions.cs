using Dfs.Common.Configuration;
using Dfs.Raft.ChunkServers;
using Dfs.Raft.Master;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dfs.Raft.Metadata.Service;

/// <summary>Composes a master's file-system service and its garbage collector.</summary>
public static class FileSystemServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="FileSystemService"/> over the master's store (<see cref="KvMetadataAdapter.ForMaster"/>), its leadership,
    /// options from <paramref name="config"/>, and <see cref="ChunkGarbageCollector"/>. The chunk-server directory is resolved from the
    /// container; a master composed without one gets a directory that knows no server.
    /// </summary>
    public static IServiceCollection AddDfsFileSystem(this IServiceCollection services, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        services.TryAddSingleton(FileSystemServiceOptions.From(config));
        services.TryAddSingleton<IMetadataLeadership>(sp => new MasterLeadership(sp.GetRequiredService<IMasterKv>()));
        services.TryAddSingleton<IChunkServerDirectory>(_ => new UnavailableChunkServerDirectory(config.ReplicationFactor));
        services.TryAddSingleton(sp => new FileSystemService(
            KvMetadataAdapter.ForMaster(sp.GetRequiredService<IMasterKv>()),
            sp.GetRequiredService<IChunkServerDirectory>(),
            sp.GetRequiredService<IMetadataLeadership>(),
            sp.GetRequiredService<FileSystemServiceOptions>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<FileSystemService>>()));
        services.AddHostedService<ChunkGarbageCollector>();
        return services;
    }
}
