using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Raft.Tests.Processes;

/// <summary>Three master processes and four chunk-server processes: a chunk server killed with SIGKILL has its chunk copied elsewhere.</summary>
public sealed class ChunkServerProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ChunkServer_KilledWithSigkill_ItsChunkIsReReplicatedByTheLeader()
    {
        using var directory = TestDirectory.Create("dfs-cs-processes");
        var ports = FreePorts.Get(10);
        var config = new ClusterConfig
        {
            DataDir = "data",
            ChunkServerHeartbeatMs = 200,
            ChunkServerDeadMs = 1500,
            Masters = Enumerable.Range(0, 3).Select(i => new MasterNodeConfig
            {
                Id = $"m{i + 1}",
                Host = "127.0.0.1",
                RaftPort = ports[2 * i],
                ApiPort = ports[(2 * i) + 1],
            }).ToArray(),
            ChunkServers = Enumerable.Range(0, 4).Select(i => new ChunkServerNodeConfig { Id = $"c{i + 1}", Host = "127.0.0.1", Port = ports[6 + i] }).ToArray(),
            Gateway = new GatewayConfig { Port = 0 },
        };
        var configPath = directory.Combine("config.json");
        config.Save(configPath);
        var nodes = new Dictionary<string, NodeProcess>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            foreach (var master in config.Masters)
            {
                nodes[master.Id] = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Raft"), ["--config", configPath, "--id", master.Id], name: master.Id);
            }
            foreach (var server in config.ChunkServers)
            {
                nodes[server.Id] = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.ChunkServer"), ["--config", configPath, "--id", server.Id], name: server.Id);
            }
            await Task.WhenAll(config.Masters.Select(m => nodes[m.Id].WaitForLineAsync(l => l.Contains($"master {m.Id} ready", StringComparison.Ordinal), Timeout)));
            await Task.WhenAll(config.ChunkServers.Select(c => nodes[c.Id].WaitForLineAsync(l => l.Contains($"chunk server {c.Id} ready", StringComparison.Ordinal), Timeout)));

            JsonElement[] servers = [];
            await Eventually.WaitUntilAsync(async ct =>
            {
                servers = await ViewAsync(http, config, ct);
                return servers.Count(s => s.GetProperty("alive").GetBoolean()) == 4;
            }, Timeout, () => Describe(servers), "a master sees four live chunk servers");

            var id = new ChunkId(0xD15C);
            var chain = config.ChunkServers.Take(3).Select(c => new ChunkEndpoint(c.Host, c.Port)).ToArray();
            await new ChunkWriteClient().WriteAsync(id, 1, chain, new MemoryStream(new byte[500_000]), CancellationToken.None);

            nodes["c1"].Kill();
            await nodes["c1"].WaitForExitAsync(TimeSpan.FromSeconds(10));

            var c4 = config.ChunkServer("c4");
            await using var client = new ChunkServerClient(new ChunkEndpoint(c4.Host, c4.Port));
            StatusReply? status = null;
            await Eventually.WaitUntilAsync(async ct =>
            {
                status = await client.GetStatusAsync(id, ct);
                if (status.Value.State == ChunkState.Committed)
                {
                    return true;
                }
                servers = await ViewAsync(http, config, ct);
                return false;
            }, Timeout, () => $"c4 holds {status}; masters now see {Describe(servers)}; masters' log:\n{MasterLog(nodes, config)}",
                "the leader has c4 copy the chunk");
            Assert.Equal(500_000, status!.Value.Length);
        }
        finally
        {
            foreach (var node in nodes.Values)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>The servers as the first master that answers sees them.</summary>
    private static async Task<JsonElement[]> ViewAsync(HttpClient http, ClusterConfig config, CancellationToken cancellationToken)
    {
        foreach (var master in config.Masters)
        {
            try
            {
                var view = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{master.ApiPort}/chunkservers", cancellationToken);
                return view.GetProperty("servers").EnumerateArray().ToArray();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
        }
        return [];
    }

    /// <summary>What the masters logged about chunk servers, copies and leadership, for a failure's description.</summary>
    private static string MasterLog(Dictionary<string, NodeProcess> nodes, ClusterConfig config) =>
        string.Join('\n', config.Masters.SelectMany(m => nodes[m.Id].GetLogLines()
            .Where(l => l.Contains("chunk", StringComparison.OrdinalIgnoreCase) || l.Contains("leader", StringComparison.OrdinalIgnoreCase) ||
                l.Contains("copy", StringComparison.OrdinalIgnoreCase))
            .TakeLast(60)
            .Select(l => $"{m.Id}: {l}")));

    private static string Describe(JsonElement[] servers) => string.Join(", ", servers.Select(s => s.ToString()));
}
