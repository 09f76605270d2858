using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// What a master that is not the leader answers: <c>307</c> to the leader's same URL when it knows the
/// leader, else <c>503</c> with <c>Retry-After</c>.
/// </summary>
public sealed class LeaderRouting(ClusterConfig config)
{
    public IResult NotLeader(HttpContext context, NotLeaderException notLeader)
    {
        var leader = notLeader.LeaderId is null ? null : config.Masters.FirstOrDefault(m => m.Id == notLeader.LeaderId);
        if (leader is null)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(
                title: "No leader",
                detail: "The masters are electing a leader; retry in a moment.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        return Results.Redirect($"http://{leader.Host}:{leader.ApiPort}{target}", permanent: false, preserveMethod: true);
    }
}
