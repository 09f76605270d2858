using Dfs.Client.Metadata;
using Dfs.Gateway.Cluster;
using Dfs.Gateway.Launcher;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dfs.Gateway.Http;

/// <summary><c>/api/cluster</c>: the masters, the chunk servers and the current leader, for operators and the UI; draining a chunk server; starting a launched node again.</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cluster", GetClusterAsync)
            .WithName("GetCluster")
            .WithTags("Cluster")
            .WithSummary("Masters (role, term, commit index, health, pid), chunk servers, and the current leader.")
            .WithDescription("A master that does not answer within a second is listed unhealthy; the leader is null while no master leads. " +
                "Chunk servers are as the leader hears them (space, chunks, load, draining); without a leader, as the config lists them.")
            .Produces<ClusterView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        routes.MapPost("/api/cluster/chunkservers/{id}/drain", DrainAsync)
            .WithName("DrainChunkServer")
            .WithTags("Cluster")
            .WithSummary("Moves every replica off the chunk server and gives it no new chunks.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        routes.MapDelete("/api/cluster/chunkservers/{id}/drain", UndrainAsync)
            .WithName("UndrainChunkServer")
            .WithTags("Cluster")
            .WithSummary("Stops draining the chunk server: it takes new chunks again.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // Only a gateway that launched the cluster can start one of its nodes again.
        if (routes.ServiceProvider.GetService<LocalCluster>() is not null)
        {
            routes.MapPost("/api/cluster/nodes/{id}/start", StartNodeAsync)
                .WithName("StartNode")
                .WithTags("Cluster")
                .WithSummary("Starts a launched master or chunk server again after it exited (local mode only).")
                .WithDescription("Present only when the gateway launched the cluster itself. The node is started with the arguments it was " +
                    "first started with and answers 202 with its new pid at once; it serves once it rejoins (watch GET /api/cluster). " +
                    "404 when no launched node has the id, 409 while it is still running.")
                .Produces<NodeStartedJson>(StatusCodes.Status202Accepted)
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict);
        }
        routes.MapMasterMembershipApi();
        return routes;
    }

    private static async Task<Accepted<NodeStartedJson>> StartNodeAsync(string id, LocalCluster cluster)
    {
        CheckNodeId(id);
        try
        {
            var node = await cluster.RestartAsync(id);
            return TypedResults.Accepted((string?)null, new NodeStartedJson(node.Id, node.Pid));
        }
        catch (KeyNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "not-found", "Not found", e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "conflict", "Conflict", e.Message);
        }
    }

    private static void CheckNodeId(string id)
    {
        if (!(id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw ApiProblemException.InvalidArgument("A node id is 1 to 64 letters, digits, '-', '_' or '.'.");
        }
    }

    private static async Task<Ok<ClusterView>> GetClusterAsync(ClusterStatusService status, CancellationToken cancellationToken) =>
        TypedResults.Ok(await status.GetAsync(cancellationToken));

    private static async Task<Accepted> DrainAsync(string id, IMetadataService metadata, CancellationToken cancellationToken)
    {
        await metadata.DrainAsync(CheckId(id), drain: true, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<NoContent> UndrainAsync(string id, IMetadataService metadata, CancellationToken cancellationToken)
    {
        await metadata.DrainAsync(CheckId(id), drain: false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static string CheckId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? id
            : throw ApiProblemException.InvalidArgument("A chunk server id is 1 to 64 letters, digits, '-', '_' or '.'.");
}
