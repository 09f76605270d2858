using System.Net;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.Raft.Master;

/// <summary>
/// Makes a master of a <see cref="ClusterConfig"/> a Raft member: the config's masters not marked joining are the group it
/// starts with, until its log or snapshot holds a configuration of its own (the group's membership changes), which wins.
/// </summary>
public static class MasterRaftServiceCollectionExtensions
{
    /// <summary>
    /// Registers master <paramref name="nodeId"/>'s Raft host: its log and snapshots under
    /// <c>{dataDir}/{id}/raft</c>, the TCP transport to the other masters' <c>raftPort</c>, and the timing of the config.
    /// </summary>
    /// <param name="configure">Adjusts the host options derived from the config (snapshot threshold, say).</param>
    /// <param name="configureTransport">Adjusts the TCP transport options derived from the config (a test's fault filter, say).</param>
    /// <exception cref="ConfigurationException">The config has no master <paramref name="nodeId"/>.</exception>
    public static IServiceCollection AddMasterRaft(this IServiceCollection services, ClusterConfig config, string nodeId,
        Func<IServiceProvider, IStateMachine> stateMachine, Func<RaftHostOptions, RaftHostOptions>? configure = null,
        Func<TcpRaftTransportOptions, TcpRaftTransportOptions>? configureTransport = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var self = config.Master(nodeId);
        var options = new RaftHostOptions { NodeId = self.Id, Members = config.InitialMasters.Select(m => m.Id).ToArray() };
        options = configure?.Invoke(options) ?? options;
        // What config.json sets wins; what it leaves out keeps the engine's (or the caller's) default.
        options = options with
        {
            ElectionTimeout = config.ElectionTimeoutMs is { } election ? TimeSpan.FromMilliseconds(election) : options.ElectionTimeout,
            HeartbeatInterval = config.HeartbeatIntervalMs is { } heartbeat ? TimeSpan.FromMilliseconds(heartbeat) : options.HeartbeatInterval,
            SnapshotThreshold = config.SnapshotThreshold ?? options.SnapshotThreshold,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"The Raft settings of config.json (electionTimeoutMs, heartbeatIntervalMs, snapshotThreshold) do not work together: {e.Message}");
        }
        var raftDirectory = Path.Combine(config.DataDirectoryFor(nodeId), "raft");
        var transport = new TcpRaftTransportOptions
        {
            NodeId = self.Id,
            Peers = config.Masters.Where(m => m.Id != self.Id).ToDictionary(m => m.Id, m => new DnsEndPoint(m.Host, m.RaftPort)),
            SnapshotDirectory = Path.Combine(raftDirectory, "incoming"),
        };
        transport = configureTransport?.Invoke(transport) ?? transport;
        return services.AddRaft(options, transport, raftDirectory, stateMachine);
    }

    /// <summary>Makes Kestrel accept Raft connections from the other masters on master <paramref name="nodeId"/>'s <c>raftPort</c>.</summary>
    public static KestrelServerOptions ListenMasterRaft(this KestrelServerOptions kestrel, ClusterConfig config, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(config);
        var self = config.Master(nodeId);
        return kestrel.ListenRaft(self.Host, self.RaftPort);
    }
}
