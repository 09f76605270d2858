using System.Net;
using Dfs.Common.Configuration;
using Dfs.Common.Processes;
using Dfs.Hosting;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Http;
using Dfs.Raft.Master.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.Raft;

/// <summary>A master: <c>dotnet run --project Dfs.Raft -- --config config.json --id m1</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ClusterConfig config;
        MasterNodeConfig self;
        NodeArguments arguments;
        try
        {
            arguments = NodeArguments.Parse(args, idRequired: true);
            config = ClusterConfig.Load(arguments.ConfigPath);
            self = config.Master(arguments.Id!);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KvStateMachine>();
        builder.Services.AddMasterRaft(config, self.Id,
            sp => new SessionStateMachine(sp.GetRequiredService<KvStateMachine>()),
            // As etcd's default snapshot count: a snapshot rewrites the whole store, and its disk writes compete
            // with the log's fsyncs, so it is taken rarely; the log in between costs a few tens of MB.
            options => options with { SnapshotThreshold = 100_000 });
        builder.Services.AddSingleton<MasterNode>();
        builder.Services.AddSingleton<IMasterKv>(sp => sp.GetRequiredService<MasterNode>());
        builder.Services.AddSingleton<MasterRequestHandler>();
        if (arguments.ParentPid is { } parent)
        {
            builder.Services.AddHostedService(sp => new ParentProcessWatch(parent, sp.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System));
        }
        builder.Services.AddMasterHttpApi(config);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, self.Host, self.RaftPort, l => l.UseConnectionHandler<MasterConnectionHandler>());
            Listen(kestrel, self.Host, self.ApiPort, l => l.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        app.MapMasterHttpApi();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"master {self.Id} ready: raft {self.Host}:{self.RaftPort}, api http://{self.Host}:{self.ApiPort}, data {config.DataDirectoryFor(self.Id)}"));
        try
        {
            await app.RunAsync();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"master {self.Id} could not start: {e.Message}");
            return 1;
        }
        // The container disposes the Raft host (and with it the log), the transport and the store as the app shuts down.
        return 0;
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, configure);
        }
    }
}
