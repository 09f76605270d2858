using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Testing.Cluster;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>
/// Chunk servers alone, each over a store the test owns: a <see cref="DfsTestCluster"/> without masters, seen
/// by index as the pipeline tests address replicas.
/// </summary>
internal sealed class ChunkCluster : IAsyncDisposable
{
    private readonly DfsTestCluster _cluster;

    private ChunkCluster(DfsTestCluster cluster, IReadOnlyList<IChunkStore> stores)
    {
        _cluster = cluster;
        Stores = stores;
        Endpoints = cluster.ChunkServers.Select(c => c.Endpoint).ToArray();
    }

    public IReadOnlyList<IChunkStore> Stores { get; }

    public IReadOnlyList<ChunkEndpoint> Endpoints { get; }

    public static async Task<ChunkCluster> StartAsync(IReadOnlyList<IChunkStore> stores, ChunkServerOptions? options = null)
    {
        var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions
        {
            Masters = 0,
            ChunkServers = stores.Count,
            ChunkStore = index => stores[index],
            ChunkServer = options ?? new ChunkServerOptions(),
        });
        return new ChunkCluster(cluster, stores);
    }

    public static Task<ChunkCluster> StartInMemoryAsync(int count, long capacityBytes = 0) =>
        StartAsync(Enumerable.Range(0, count).Select(_ => (IChunkStore)new InMemoryChunkStore(capacityBytes)).ToArray());

    /// <summary>Stops one server at once (its connections drop), as a crash of that node looks to its peers.</summary>
    public async Task StopAsync(int index)
    {
        var server = _cluster.ChunkServers[index];
        if (server.IsRunning)
        {
            await _cluster.KillChunkServerAsync(server.Id);
        }
    }

    /// <summary>Reads a whole chunk from the given replicas into memory.</summary>
    public static async Task<byte[]> ReadAllAsync(ChunkId id, long minimumVersion, params ChunkEndpoint[] replicas)
    {
        using var destination = new MemoryStream();
        await new ChunkReadClient(new ChunkReadOptions { Timeout = TimeSpan.FromSeconds(10) }).ReadAsync(id, minimumVersion, 0, -1, replicas, destination, CancellationToken.None);
        return destination.ToArray();
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
