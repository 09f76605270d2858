using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>Chunk servers in this process on 127.0.0.1 with OS-chosen ports, each over its own store.</summary>
internal sealed class ChunkCluster : IAsyncDisposable
{
    private readonly List<ChunkServerHost?> _hosts;

    private ChunkCluster(List<ChunkServerHost?> hosts, IReadOnlyList<IChunkStore> stores)
    {
        _hosts = hosts;
        Stores = stores;
        Endpoints = hosts.Select(h => h!.Endpoint).ToArray();
    }

    public IReadOnlyList<IChunkStore> Stores { get; }

    public IReadOnlyList<ChunkEndpoint> Endpoints { get; }

    public static async Task<ChunkCluster> StartAsync(IReadOnlyList<IChunkStore> stores, ChunkServerOptions? options = null)
    {
        var hosts = new List<ChunkServerHost?>();
        try
        {
            foreach (var store in stores)
            {
                hosts.Add(await ChunkServerHost.StartAsync(store, options ?? new ChunkServerOptions(),
                    Environment.GetEnvironmentVariable("DFS_TEST_LOG") == "1" ? l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug) : null));
            }
        }
        catch
        {
            foreach (var host in hosts)
            {
                await host!.DisposeAsync();
            }
            throw;
        }
        return new ChunkCluster(hosts, stores);
    }

    public static Task<ChunkCluster> StartInMemoryAsync(int count, long capacityBytes = 0) =>
        StartAsync(Enumerable.Range(0, count).Select(_ => (IChunkStore)new InMemoryChunkStore(capacityBytes)).ToArray());

    /// <summary>Stops one server (its connections close), as a crash of that node looks to its peers.</summary>
    public async Task StopAsync(int index)
    {
        if (_hosts[index] is { } host)
        {
            _hosts[index] = null;
            await host.DisposeAsync();
        }
    }

    /// <summary>Reads a whole chunk from the given replicas into memory.</summary>
    public static async Task<byte[]> ReadAllAsync(ChunkId id, long minimumVersion, params ChunkEndpoint[] replicas)
    {
        using var destination = new MemoryStream();
        await new ChunkReadClient(new ChunkReadOptions { Timeout = TimeSpan.FromSeconds(10) }).ReadAsync(id, minimumVersion, 0, -1, replicas, destination, CancellationToken.None);
        return destination.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
