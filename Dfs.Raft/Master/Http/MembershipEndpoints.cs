using System.Text.Json;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Master.Membership;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// The operator's membership routes: <c>GET /raft/members</c>, <c>POST /raft/members</c> and
/// <c>DELETE /raft/members/{id}</c>, served by the leader; another master redirects (307) to it as the key-value routes do.
/// </summary>
/// <remarks>The routes throw; <see cref="MasterExceptionHandler"/> turns every failure into its answer.</remarks>
public static class MembershipEndpoints
{
    public static IEndpointRouteBuilder MapMembershipApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/raft/members", (MasterMembershipService members) => Json(members.ListOnLeader()));
        routes.MapPost("/raft/members", AddAsync);
        routes.MapDelete("/raft/members/{id}", async (string id, MasterMembershipService members, CancellationToken cancellationToken) =>
            Json(await members.RemoveAsync(id, cancellationToken)));
        return routes;
    }

    private static async Task<IResult> AddAsync(HttpContext context, MasterMembershipService members, CancellationToken cancellationToken)
    {
        AddMasterRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, MasterJsonContext.Default.AddMasterRequest, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new MasterException(MasterErrorCode.InvalidArgument, $"The body is not a master to add: {e.Message}");
        }
        return Json(await members.AddAsync(request, cancellationToken));
    }

    private static IResult Json(MasterMembers members) =>
        Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(members, MasterJsonContext.Default.MasterMembers), "application/json");
}
