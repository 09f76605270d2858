using System.Text.Json;
using Dfs.Client.Master.Protocol;

namespace Dfs.Raft.Master.Http;

/// <summary><c>GET /raft/status</c>: this master's Raft state, for operators and tests (clients ask over the internal protocol).</summary>
public static class RaftStatusEndpoints
{
    public static IEndpointRouteBuilder MapRaftStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/raft/status", (IMasterKv kv) =>
            Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(kv.Status, MasterJsonContext.Default.MasterStatus), "application/json"));
        return routes;
    }
}
