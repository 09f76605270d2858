using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dfs.ChunkServer.Tests.Storage;

public sealed class ChunkStorageServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddChunkStorage_ResolvesOneFileStoreUnderEveryContractAndHostsTheScrubber()
    {
        using var folder = TestDirectory.Create("chunk-store");
        var services = new ServiceCollection()
            .AddLogging()
            .AddChunkStorage(new FileChunkStoreOptions { RootPath = folder.Path }, new ChunkScrubberOptions());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IChunkStore>();

        Assert.IsType<FileChunkStore>(store);
        Assert.Same(store, provider.GetRequiredService<IReplicaCorruptionSource>());
        Assert.Same(provider.GetRequiredService<ChunkScrubber>(), Assert.Single(provider.GetServices<IHostedService>()));
        Assert.True(Directory.Exists(Path.Combine(folder.Path, "chunks")));
    }

    [Fact]
    public void AddChunkStorage_WithNegativeCapacity_FailsAtRegistrationWithTheFieldNamed()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new ServiceCollection().AddChunkStorage(new FileChunkStoreOptions { RootPath = "x", CapacityBytes = -1 }));

        Assert.Contains("CapacityBytes", error.Message, StringComparison.Ordinal);
    }
}
