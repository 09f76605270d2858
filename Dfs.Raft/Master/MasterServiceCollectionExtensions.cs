using System.Net;
using Dfs.Common.Configuration;
using Dfs.Hosting.Metrics;
using Dfs.Raft.ChunkServers;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.DotNext;
using Dfs.Raft.Kv;
using Dfs.Raft.Master.Http;
using Dfs.Raft.Master.Membership;
using Dfs.Raft.Master.Protocol;
using Dfs.Raft.Metadata.Service;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.Raft.Master;

/// <summary>Composes a master: the process and the in-process test cluster both build a master through these.</summary>
public static class MasterServiceCollectionExtensions
{
    /// <summary>
    /// Registers master <paramref name="id"/> of <paramref name="config"/>: the key-value store under the session
    /// layer, its Raft host (log and snapshots under the node's data folder), <see cref="IMasterKv"/>, the request
    /// handler and, on Kestrel, the Raft port (peers and clients) and the HTTP API port. Map the routes with
    /// <see cref="MapDfsMaster"/>; after start, <see cref="MasterListeners"/> tells the bound ports.
    /// </summary>
    /// <remarks>
    /// <c>"consensus": "dotnext"</c> in the config puts the same store under DotNext's Raft instead of our engine
    /// (see <see cref="DotNextServiceCollectionExtensions.AddDotNextMaster"/>); everything above <see cref="IMasterKv"/> is the same.
    /// </remarks>
    /// <exception cref="ConfigurationException">The config has no master <paramref name="id"/>.</exception>
    public static WebApplicationBuilder AddDfsMaster(this WebApplicationBuilder builder, ClusterConfig config, string id, DfsMasterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        var self = config.Master(id);
        options ??= new DfsMasterOptions();
        var services = builder.Services;
        services.AddSingleton(options.Time ?? TimeProvider.System);
        services.AddSingleton<KvStateMachine>();
        if (config.Consensus == ConsensusBackends.DotNext)
        {
            services.AddDotNextMaster(config, self.Id);
        }
        else
        {
            services.AddMasterRaft(config, self.Id,
                sp => new SessionStateMachine(sp.GetRequiredService<KvStateMachine>()),
                raft =>
                {
                    // As etcd's default snapshot count: a snapshot rewrites the whole store, and its disk writes compete
                    // with the log's fsyncs, so it is taken rarely; the log in between costs a few tens of MB.
                    raft = raft with { SnapshotThreshold = 100_000 };
                    return options.ConfigureRaft?.Invoke(raft) ?? raft;
                },
                transport => transport with { SendFilter = options.RaftSendFilter });
            services.AddSingleton<MasterNode>();
            services.AddSingleton<IMasterKv>(sp => sp.GetRequiredService<MasterNode>());
            services.AddSingleton<IMasterLeadership>(sp => sp.GetRequiredService<MasterNode>());
            services.AddSingleton<IMasterMembership>(sp => sp.GetRequiredService<MasterNode>());
        }
        services.AddMasterMembership(config);
        services.AddSingleton<MasterRequestHandler>();
        services.AddNodeMetrics();
        services.AddSingleton<MasterMetrics>();
        services.AddDfsFileSystem(config);
        services.AddMasterHttpApi(config);
        services.AddChunkServerDirectory(config);

        var listeners = new MasterListeners();
        services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listeners.Raft = Listen(kestrel, self.Host, self.RaftPort, l => l.UseConnectionHandler<MasterConnectionHandler>());
            listeners.Api = Listen(kestrel, self.Host, self.ApiPort, l => l.Protocols = HttpProtocols.Http1);
        });
        return builder;
    }

    /// <summary>Maps the master's HTTP API: <c>/raft/status</c>, <c>/raft/members</c>, the key-value routes and <c>/metrics</c>.</summary>
    public static WebApplication MapDfsMaster(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMasterHttpApi();
        app.MapMembershipApi();
        // Created here so its scrape callback and leader-change counter are in place before the first scrape.
        app.Services.GetRequiredService<MasterMetrics>();
        app.Services.GetRequiredService<ChunkServerDirectoryMetrics>();
        app.MapNodeMetrics();
        app.MapChunkServerApi();
        return app;
    }

    private static ListenOptions Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        ListenOptions? bound = null;
        void Capture(ListenOptions listen)
        {
            bound = listen;
            configure(listen);
        }
        if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port, Capture);
        }
        else
        {
            kestrel.ListenAnyIP(port, Capture);
        }
        return bound!;
    }
}
