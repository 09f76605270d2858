using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Configuration;
using Dfs.Common.Hashing;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>Chunk servers as real processes: what only a SIGKILL shows.</summary>
public sealed class ChunkServerProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _directory = TestDirectory.Create("chunk-processes");
    private readonly NodeProcess?[] _servers = new NodeProcess?[3];
    private string _configPath = "";
    private ChunkEndpoint[] _endpoints = [];

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Get(3);
        var config = new ClusterConfig
        {
            DataDir = "data",
            ChunkServers = Enumerable.Range(0, 3)
                .Select(i => new ChunkServerNodeConfig { Id = $"c{i + 1}", Host = "127.0.0.1", Port = ports[i] })
                .ToArray(),
        };
        _configPath = _directory.Combine("config.json");
        config.Save(_configPath);
        _endpoints = ports.Select(p => new ChunkEndpoint("127.0.0.1", p)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(StartAsync));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        _directory.Dispose();
    }

    private async Task StartAsync(int index)
    {
        var id = $"c{index + 1}";
        var server = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.ChunkServer"), ["--config", _configPath, "--id", id], name: id);
        _servers[index] = server;
        await server.WaitForLineAsync(line => line.StartsWith($"chunk server {id} ready on ", StringComparison.Ordinal), StartTimeout,
            $"the ready line of {id}");
    }

    [Fact]
    public async Task MiddleServerKilledMidWrite_WriteCompletesOnTheSurvivorsWithVersionPlusOne_AndTheRestartedOneIsRefused()
    {
        var id = new ChunkId(0xC0FFEE);
        var data = TestData.Bytes(8 * 1024 * 1024 + 4321, seed: 77);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ChunkWriteClient(new ChunkWriteOptions
        {
            WindowPackets = 16,
            OnAcknowledged = offset =>
            {
                if (offset >= 1024 * 1024)
                {
                    acknowledged.TrySetResult();
                }
            },
        });
        // The source holds its second half back until the middle server is dead, so the kill lands mid-write.
        var source = new GatedStream(data, 4 * 1024 * 1024, killed.Task, TimeSpan.FromSeconds(60), "the middle server to be killed");
        var write = client.WriteAsync(id, 1, _endpoints, source, CancellationToken.None);

        await acknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _servers[1]!.Kill();
        await _servers[1]!.WaitForExitAsync(TimeSpan.FromSeconds(10));
        killed.SetResult();
        var result = await write.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal([_endpoints[0], _endpoints[2]], result.Replicas);
        Assert.Equal(new ChunkInfo(id, 2, data.Length, Crc32C.Compute(data)), result.Chunk);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(id, 2, _endpoints[0]));
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(id, 2, _endpoints[2]));

        await _servers[1]!.DisposeAsync();
        await StartAsync(1);
        await using var restarted = new ChunkServerClient(_endpoints[1]);
        var report = await restarted.GetReportAsync(CancellationToken.None);
        var held = report.Chunks.SingleOrDefault(c => c.Id == id);
        Assert.True(held is null || held.Version < result.Chunk.Version,
            $"The killed server may hold nothing or a stale version of the chunk after restart; it reports {held}.");
        var refused = await Assert.ThrowsAsync<ChunkServerException>(() => ChunkCluster.ReadAllAsync(id, result.Chunk.Version, _endpoints[1]));
        Assert.Contains(refused.Code, new[] { ChunkErrorCode.NotFound, ChunkErrorCode.StaleVersion });
    }
}
