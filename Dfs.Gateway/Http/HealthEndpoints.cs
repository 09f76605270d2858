using Dfs.Gateway.Cluster;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dfs.Gateway.Http;

/// <summary><c>GET /health</c>: whether the gateway can reach a Raft leader, for load balancers and the launcher's users.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", GetHealthAsync)
            .WithName("Health")
            .WithTags("Cluster")
            .WithSummary("200 when the gateway can reach a Raft leader.")
            .WithDescription("Asks every master for its Raft state over the internal protocol; 503 with problem details when none reports itself leader.")
            .Produces<HealthJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        return routes;
    }

    private static async Task<Results<Ok<HealthJson>, ProblemHttpResult>> GetHealthAsync(ClusterStatusService status, CancellationToken cancellationToken) =>
        (await status.GetAsync(cancellationToken)).Leader is { } leader
            ? TypedResults.Ok(new HealthJson("ok", leader))
            : TypedResults.Problem("No master reports itself leader; the metadata group has no quorum.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "No leader");
}
