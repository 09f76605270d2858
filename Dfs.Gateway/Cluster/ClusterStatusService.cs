using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Gateway.Launcher;

namespace Dfs.Gateway.Cluster;

/// <summary>A master as the gateway sees it: its own <c>/raft/status</c>, or unreachable.</summary>
public sealed record MasterView(string Id, string Address, bool Healthy, string? Role, long? Term, long? CommitIndex, string? LeaderId, int? Pid);

/// <summary>A chunk server as the gateway sees it.</summary>
public sealed record ChunkServerView(string Id, string Address, bool Alive, int? Pid);

/// <summary>The whole cluster: masters, chunk servers and the current leader.</summary>
public sealed record ClusterView(string? Leader, IReadOnlyList<MasterView> Masters, IReadOnlyList<ChunkServerView> ChunkServers);

/// <summary>Asks every master for its Raft status and reports what the launcher knows of chunk servers.</summary>
public sealed class ClusterStatusService(ClusterConfig config, HttpClient http, LocalCluster? launched)
{
    public async Task<ClusterView> GetAsync(CancellationToken cancellationToken)
    {
        var masters = await Task.WhenAll(config.Masters.Select(m => QueryMasterAsync(m, cancellationToken)));
        var leader = masters.FirstOrDefault(m => m.Role == "Leader")?.Id;
        var chunkServers = config.ChunkServers.Select(c =>
        {
            var child = launched?.ChunkServers.FirstOrDefault(n => n.Id == c.Id);
            return new ChunkServerView(c.Id, $"{c.Host}:{c.Port}", child is not null && !child.HasExited, child?.Pid);
        }).ToArray();
        return new ClusterView(leader, masters, chunkServers);
    }

    private async Task<MasterView> QueryMasterAsync(MasterNodeConfig master, CancellationToken cancellationToken)
    {
        var address = $"http://{master.Host}:{master.ApiPort}";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            var status = await http.GetFromJsonAsync<JsonElement>($"{address}/raft/status", timeout.Token);
            return new MasterView(master.Id, address, true,
                status.GetProperty("role").GetString(),
                status.GetProperty("term").GetInt64(),
                status.GetProperty("commitIndex").GetInt64(),
                status.TryGetProperty("leaderId", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null,
                status.TryGetProperty("pid", out var p) ? p.GetInt32() : null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            return new MasterView(master.Id, address, false, null, null, null, null, null);
        }
    }
}
