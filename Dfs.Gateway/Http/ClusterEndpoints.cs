using Dfs.Client.Metadata;
using Dfs.Gateway.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dfs.Gateway.Http;

/// <summary><c>/api/cluster</c>: the masters, the chunk servers and the current leader, for operators and the UI; draining a chunk server.</summary>
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
        routes.MapMasterMembershipApi();
        return routes;
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
