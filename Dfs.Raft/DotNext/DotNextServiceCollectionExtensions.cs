using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Membership;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.DotNext;

/// <summary>Composes a master whose Raft group is DotNext's (<c>"consensus": "dotnext"</c>).</summary>
public static class DotNextServiceCollectionExtensions
{
    /// <summary>
    /// Registers master <paramref name="nodeId"/>'s <see cref="DotNextMasterNode"/> over the registered <see cref="KvStateMachine"/>
    /// (under the session layer) as <see cref="IMasterKv"/>, started and stopped with the host.
    /// </summary>
    /// <exception cref="ConfigurationException">The config has no master <paramref name="nodeId"/>.</exception>
    public static IServiceCollection AddDotNextMaster(this IServiceCollection services, ClusterConfig config, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(config);
        var self = config.Master(nodeId);
        var options = new DotNextMasterOptions();
        options = options with { SnapshotThreshold = config.SnapshotThreshold ?? options.SnapshotThreshold };
        services.AddSingleton(sp => new DotNextMasterNode(config, self.Id, sp.GetRequiredService<KvStateMachine>(),
            new SessionStateMachine(sp.GetRequiredService<KvStateMachine>()), sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>(), options));
        services.AddHostedService(sp => sp.GetRequiredService<DotNextMasterNode>());
        services.AddSingleton<IMasterKv>(sp => sp.GetRequiredService<DotNextMasterNode>());
        services.AddSingleton<IMasterLeadership>(sp => sp.GetRequiredService<DotNextMasterNode>());
        services.AddSingleton<IMasterMembership>(sp => sp.GetRequiredService<DotNextMasterNode>());
        return services;
    }
}
