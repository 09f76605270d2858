using Dfs.Gateway.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dfs.Gateway.Http;

/// <summary><c>GET /api/cluster</c>: the masters, the chunk servers and the current leader, for operators and the UI.</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cluster", GetClusterAsync)
            .WithName("GetCluster")
            .WithTags("Cluster")
            .WithSummary("Masters (role, term, commit index, health, pid), chunk servers, and the current leader.")
            .WithDescription("A master that does not answer within a second is listed unhealthy; the leader is null while no master leads.")
            .Produces<ClusterView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        return routes;
    }

    private static async Task<Ok<ClusterView>> GetClusterAsync(ClusterStatusService status, CancellationToken cancellationToken) =>
        TypedResults.Ok(await status.GetAsync(cancellationToken));
}
