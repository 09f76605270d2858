using Dfs.Client.Chunks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Storage;

/// <summary>Registers a node's chunk storage with a host.</summary>
public static class ChunkStorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="FileChunkStore"/> (as <see cref="IChunkStore"/> and <see cref="IReplicaCorruptionSource"/>)
    /// and, unless <paramref name="scrubber"/> is null, a hosted <see cref="ChunkScrubber"/> over it.
    /// </summary>
    /// <remarks>The options are validated here, so a bad configuration fails at start with a clear message.</remarks>
    public static IServiceCollection AddChunkStorage(this IServiceCollection services, FileChunkStoreOptions store, ChunkScrubberOptions? scrubber = null)
    {
        store.Validate();
        scrubber?.Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new FileChunkStore(store, sp.GetService<ILogger<FileChunkStore>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IChunkStore>(sp => sp.GetRequiredService<FileChunkStore>());
        services.AddSingleton<IReplicaCorruptionSource>(sp => sp.GetRequiredService<FileChunkStore>());
        if (scrubber is not null)
        {
            services.AddSingleton(sp => new ChunkScrubber(
                sp.GetRequiredService<IChunkStore>(), scrubber, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<ChunkScrubber>>()));
            services.AddHostedService(sp => sp.GetRequiredService<ChunkScrubber>());
        }
        return services;
    }
}
