using System.Net;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>Registers a Raft member of a <see cref="ClusterConfig"/> in a master process.</summary>
public static class RaftServiceCollectionExtensions
{
    /// <summary>
    /// Registers this master's Raft host: its log and snapshots under <c>{dataDir}/{id}/raft</c>, the TCP
    /// transport to the other masters' <c>raftPort</c>, timing from the config, and a hosted service that
    /// starts it and hands leadership over on shutdown. Map the Raft listener with <see cref="ListenRaft"/>.
    /// </summary>
    /// <param name="stateMachine">Creates the replicated state machine.</param>
    /// <param name="configure">Adjusts the host options derived from the config (snapshot threshold, say).</param>
    /// <param name="configureTransport">Adjusts the TCP transport options derived from the config.</param>
    /// <exception cref="ConfigurationException">The config has no master <paramref name="nodeId"/>.</exception>
    public static IServiceCollection AddRaft(this IServiceCollection services, ClusterConfig config, string nodeId,
        Func<IServiceProvider, IStateMachine> stateMachine, Func<RaftHostOptions, RaftHostOptions>? configure = null,
        Func<TcpRaftTransportOptions, TcpRaftTransportOptions>? configureTransport = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(stateMachine);
        var self = config.Master(nodeId);
        var options = new RaftHostOptions
        {
            NodeId = self.Id,
            Members = config.Masters.Select(m => m.Id).ToArray(),
            ElectionTimeout = TimeSpan.FromMilliseconds(config.ElectionTimeoutMs),
            HeartbeatInterval = TimeSpan.FromMilliseconds(config.HeartbeatIntervalMs),
        };
        options = configure?.Invoke(options) ?? options;
        options.Validate();
        var raftDirectory = Path.Combine(config.DataDirectoryFor(nodeId), "raft");
        var transportOptions = new TcpRaftTransportOptions
        {
            NodeId = self.Id,
            Peers = config.Masters.Where(m => m.Id != self.Id).ToDictionary(m => m.Id, m => new DnsEndPoint(m.Host, m.RaftPort)),
            SnapshotDirectory = Path.Combine(raftDirectory, "incoming"),
        };
        transportOptions = configureTransport?.Invoke(transportOptions) ?? transportOptions;
        transportOptions.Validate();

        services.AddSingleton(options);
        services.AddSingleton(sp => new TcpRaftTransport(transportOptions, sp.GetService<TimeProvider>(), sp.GetService<ILogger<TcpRaftTransport>>()));
        services.AddSingleton<IRaftInboundSink>(sp => sp.GetRequiredService<TcpRaftTransport>());
        services.AddSingleton(sp => new RaftHost(
            options,
            new FileRaftLogStore(Path.Combine(raftDirectory, "log"), logger: sp.GetService<ILogger<FileRaftLogStore>>()),
            new FileSnapshotStore(raftDirectory, sp.GetService<ILogger<FileSnapshotStore>>()),
            stateMachine(sp),
            sp.GetRequiredService<TcpRaftTransport>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RaftHost>>()));
        services.AddHostedService(sp => new RaftHostedService(sp.GetRequiredService<RaftHost>()));
        return services;
    }

    /// <summary>Makes Kestrel accept Raft connections from the other masters on this master's <c>raftPort</c>.</summary>
    public static KestrelServerOptions ListenRaft(this KestrelServerOptions kestrel, ClusterConfig config, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var self = config.Master(nodeId);
        var address = IPAddress.TryParse(self.Host, out var ip) ? ip : IPAddress.Any;
        kestrel.Listen(address, self.RaftPort, listen =>
        {
            listen.Protocols = HttpProtocols.None;
            listen.UseConnectionHandler<RaftConnectionHandler>();
        });
        return kestrel;
    }
}
