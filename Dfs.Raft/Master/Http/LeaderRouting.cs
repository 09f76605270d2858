using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Master.Membership;
using Microsoft.AspNetCore.Http.Features;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// What a master that is not the leader answers: <c>307</c> to the leader's same URL when it knows the
/// leader, else the <see cref="MasterErrorCode.NoLeader"/> problem (<c>503</c> with <c>Retry-After</c>).
/// </summary>
public sealed class LeaderRouting(ClusterConfig config, MasterAddresses? addresses = null)
{
    public IResult NotLeader(HttpContext context, MasterError notLeader)
    {
        // A master added after start is known from the group's book only.
        var leader = notLeader.LeaderId is null ? null : addresses?.Find(notLeader.LeaderId) ?? config.Masters.FirstOrDefault(m => m.Id == notLeader.LeaderId);
        if (leader is null)
        {
            return MasterProblems.Problem(context, new MasterError(MasterErrorCode.NoLeader,
                "The masters are electing a leader; retry in a moment."));
        }
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        return Results.Redirect($"http://{leader.Host}:{leader.ApiPort}{target}", permanent: false, preserveMethod: true);
    }
}
