using Dfs.Common.Configuration;
using Dfs.Common.Processes;
using Dfs.Hosting;
using Dfs.Raft.Master;

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
        builder.AddDfsMaster(config, self.Id);
        if (arguments.ParentPid is { } parent)
        {
            builder.Services.AddHostedService(sp => new ParentProcessWatch(parent, sp.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System));
        }

        var app = builder.Build();
        app.MapDfsMaster();
        var listeners = app.Services.GetRequiredService<MasterListeners>();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"master {self.Id} ready: raft {self.Host}:{listeners.RaftEndPoint.Port}, api http://{self.Host}:{listeners.ApiEndPoint.Port}, data {config.DataDirectoryFor(self.Id)}"));
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
}
