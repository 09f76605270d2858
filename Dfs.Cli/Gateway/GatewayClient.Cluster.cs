using System.Net;
using System.Net.Http.Json;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Gateway;

public sealed partial class GatewayClient
{
    /// <summary><c>GET /api/cluster</c>: masters, chunk servers and replication state.</summary>
    public async Task<ClusterView> GetClusterAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/cluster");
        return await ReadJsonAsync<ClusterView>(request, cancellationToken);
    }

    /// <summary><c>POST /api/cluster/chunkservers/{id}/drain</c>: moves the server's chunks away and places no new ones on it.</summary>
    public async Task DrainChunkServerAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/cluster/chunkservers/{Uri.EscapeDataString(id)}/drain");
        using var response = await SendAsync(request, cancellationToken);
    }

    /// <summary><c>DELETE /api/cluster/chunkservers/{id}/drain</c>: undoes a drain.</summary>
    public async Task UndrainChunkServerAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/cluster/chunkservers/{Uri.EscapeDataString(id)}/drain");
        using var response = await SendAsync(request, cancellationToken);
    }

    /// <summary><c>GET /api/cluster/masters</c>: the masters' group as its leader knows it.</summary>
    public async Task<MasterMembers> ListMastersAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/cluster/masters");
        return await ReadJsonAsync<MasterMembers>(request, cancellationToken);
    }

    /// <summary><c>POST /api/cluster/masters</c>: adds a running master to the group; answers once it has caught up.</summary>
    public async Task<MasterMembers> AddMasterAsync(string id, string host, int raftPort, int apiPort, int? consensusPort,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/cluster/masters")
        {
            Content = JsonContent.Create(new { id, host, raftPort, apiPort, consensusPort }, options: Json),
        };
        return await ReadJsonAsync<MasterMembers>(request, cancellationToken);
    }

    /// <summary><c>DELETE /api/cluster/masters/{id}</c>: removes a master from the group.</summary>
    public async Task<MasterMembers> RemoveMasterAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/cluster/masters/{Uri.EscapeDataString(id)}");
        return await ReadJsonAsync<MasterMembers>(request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /api/cluster/nodes/{id}/start</c>: asks a gateway that launched the cluster to start node <paramref name="id"/> again
    /// after it exited. Answers at once with the new process; 404 when the gateway did not launch it, 409 while it runs.
    /// </summary>
    public async Task<NodeStarted> StartNodeAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/cluster/nodes/{Uri.EscapeDataString(id)}/start");
        return await ReadJsonAsync<NodeStarted>(request, cancellationToken);
    }

    /// <summary><c>GET /health</c>: the report whether the answer is 200 (ok) or 503 (unavailable).</summary>
    public async Task<HealthReport> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health");
        using var response = await SendAsync(request, cancellationToken, acceptStatus: status => status == HttpStatusCode.ServiceUnavailable);
        try
        {
            return await ReadJsonAsync<HealthReport>(response, cancellationToken);
        }
        catch (GatewayProblemException) when (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // A 503 from something in front of the gateway (or a problem body) still means: unavailable.
            return new HealthReport("unavailable", null);
        }
    }
}
