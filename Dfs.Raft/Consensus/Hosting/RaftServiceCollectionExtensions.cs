using System.Net;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>Registers a Raft member, with its file storage and TCP transport, in a host process.</summary>
public static class RaftServiceCollectionExtensions
{
    /// <summary>
    /// Registers this node's Raft host: its log and snapshots under <paramref name="directory"/>, the TCP
    /// transport to the peers <paramref name="transport"/> names, and a hosted service that starts it and hands
    /// leadership over on shutdown. Map the Raft listener with <see cref="ListenRaft"/>.
    /// </summary>
    /// <param name="stateMachine">Creates the replicated state machine.</param>
    public static IServiceCollection AddRaft(this IServiceCollection services, RaftHostOptions options, TcpRaftTransportOptions transport,
        string directory, Func<IServiceProvider, IStateMachine> stateMachine)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(stateMachine);
        options.Validate();
        transport.Validate();

        services.AddSingleton(options);
        services.AddSingleton(sp => new TcpRaftTransport(transport, sp.GetService<TimeProvider>(), sp.GetService<ILogger<TcpRaftTransport>>()));
        services.AddSingleton<IRaftInboundSink>(sp => sp.GetRequiredService<TcpRaftTransport>());
        services.AddSingleton(sp => new RaftHost(
            options,
            new FileRaftLogStore(Path.Combine(directory, "log"), logger: sp.GetService<ILogger<FileRaftLogStore>>()),
            new FileSnapshotStore(directory, sp.GetService<ILogger<FileSnapshotStore>>()),
            stateMachine(sp),
            sp.GetRequiredService<TcpRaftTransport>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RaftHost>>()));
        services.AddHostedService(sp => new RaftHostedService(sp.GetRequiredService<RaftHost>()));
        return services;
    }

    /// <summary>Makes Kestrel accept Raft connections from the peers on <paramref name="host"/>:<paramref name="port"/> (any address when the host is a name).</summary>
    public static KestrelServerOptions ListenRaft(this KestrelServerOptions kestrel, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var address = IPAddress.TryParse(host, out var ip) ? ip : IPAddress.Any;
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.None;
            listen.UseConnectionHandler<RaftConnectionHandler>();
        });
        return kestrel;
    }
}
