using Dfs.Common.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dfs.Raft.Master.Membership;

/// <summary>Registers the operator's membership changes over whichever backend registered <see cref="IMasterMembership"/>.</summary>
public static class MasterMembershipServiceCollectionExtensions
{
    /// <summary>Registers <see cref="MasterAddresses"/>, <see cref="MasterMembershipService"/> and the <see cref="MasterBookFollower"/> that keeps the transport in step.</summary>
    public static IServiceCollection AddMasterMembership(this IServiceCollection services, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        services.TryAddSingleton(new MasterAddresses(config));
        services.TryAddSingleton<MasterMembershipService>();
        services.AddHostedService<MasterBookFollower>();
        return services;
    }
}
