using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Membership;

/// <summary>Joins a chunk server to the masters: add after <c>AddDfsChunkServer</c>.</summary>
public static class ChunkServerHeartbeatServiceCollectionExtensions
{
    /// <summary>Registers the hosted <see cref="ChunkServerHeartbeats"/> (heartbeats to every master, the leader's commands carried out).</summary>
    public static IServiceCollection AddChunkServerHeartbeats(this IServiceCollection services, ChunkServerHeartbeatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(sp => new ChunkServerHeartbeats(options, sp.GetRequiredService<ChunkService>(), sp.GetRequiredService<ReplicaCopier>(),
            sp.GetRequiredService<ChunkServerListener>(), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ChunkServerHeartbeats>>(), sp.GetService<IReplicaCorruptionSource>()));
        services.AddHostedService(sp => sp.GetRequiredService<ChunkServerHeartbeats>());
        return services;
    }
}
