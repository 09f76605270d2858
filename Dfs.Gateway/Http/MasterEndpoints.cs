using Dfs.Gateway.Cluster;

namespace Dfs.Gateway.Http;

/// <summary>One member of the masters' group, as the leader lists it.</summary>
/// <param name="Role"><c>voter</c>, or <c>learner</c> while a new master catches up (our engine only).</param>
public sealed record MasterMemberJson(string Id, string Role, bool Leader, string? Host, int? RaftPort, int? ApiPort, int? ConsensusPort);

/// <summary>The masters' group: its leader and members.</summary>
public sealed record MasterMembersJson(string? Leader, IReadOnlyList<MasterMemberJson> Members);

/// <summary>A master to add: its id and where it listens (it must already run, marked <c>"joining": true</c> in its config.json).</summary>
/// <param name="ConsensusPort">DotNext's Raft port with <c>"consensus": "dotnext"</c>; absent: <paramref name="RaftPort"/> + 1000.</param>
public sealed record AddMasterJson(string Id, string Host, int RaftPort, int ApiPort, int? ConsensusPort);

/// <summary>
/// <c>/api/cluster/masters</c>: the operator's view and changes of the masters' group, carried to the leader's
/// <c>/raft/members</c> routes (<see cref="MasterMembershipProxy"/>).
/// </summary>
public static class MasterEndpoints
{
    public static IEndpointRouteBuilder MapMasterMembershipApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/cluster/masters", (MasterMembershipProxy proxy, CancellationToken cancellationToken) =>
                proxy.ForwardAsync(HttpMethod.Get, "/raft/members", null, cancellationToken))
            .WithName("ListMasters")
            .WithTags("Cluster")
            .WithSummary("The masters' group as its leader knows it: each member's role and address, and which one leads.")
            .Produces<MasterMembersJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        routes.MapPost("/api/cluster/masters", AddAsync)
            .WithName("AddMaster")
            .WithTags("Cluster")
            .WithSummary("Adds a running master (marked joining in its config.json) to the group; answers once it has caught up and votes.")
            .WithDescription("One change at a time. The leader first records the new master's address in the replicated store, so every " +
                "master can reach it, then adds it: with our engine as a learner promoted once caught up, with DotNext after its warm-up rounds.")
            .Accepts<AddMasterJson>("application/json")
            .Produces<MasterMembersJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        routes.MapDelete("/api/cluster/masters/{id}", (string id, MasterMembershipProxy proxy, CancellationToken cancellationToken) =>
                proxy.ForwardAsync(HttpMethod.Delete, $"/raft/members/{Uri.EscapeDataString(id)}", null, cancellationToken))
            .WithName("RemoveMaster")
            .WithTags("Cluster")
            .WithSummary("Removes a master from the group; the leader itself may be removed, and steps down once the change commits.")
            .Produces<MasterMembersJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> AddAsync(HttpRequest request, MasterMembershipProxy proxy, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        // The leader validates the body; the gateway only bounds it.
        await request.Body.CopyToAsync(body, cancellationToken);
        if (body.Length > 64 * 1024)
        {
            throw new ApiProblemException("A master to add is a small JSON object.");
        }
        return await proxy.ForwardAsync(HttpMethod.Post, "/raft/members", body.ToArray(), cancellationToken);
    }
}
