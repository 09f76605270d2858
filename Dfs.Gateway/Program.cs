using Dfs.Common.Configuration;
using Dfs.Gateway.Cluster;
using Dfs.Gateway.Launcher;

namespace Dfs.Gateway;

/// <summary>
/// The gateway: <c>dotnet run --project Dfs.Gateway -- --config config.json</c> starts the whole cluster as child
/// processes and serves the REST API with Swagger UI; <c>--no-launch</c> serves a cluster that already runs.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ClusterConfig config;
        NodeArguments arguments;
        try
        {
            arguments = NodeArguments.Parse(args, idRequired: false);
            config = ClusterConfig.Load(arguments.ConfigPath);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var builder = WebApplication.CreateBuilder([.. arguments.HostArguments]);
        // ASP.NET Core logs several Information lines per request (request started, endpoint, result, finished): at thousands
        // of small uploads a second that console output cost more gateway CPU than the requests. Warnings and errors still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.AddDfsGateway(config, new DfsGatewayOptions { Launch = !arguments.NoLaunch, ConfigPath = arguments.ConfigPath });
        await using var app = builder.Build();
        app.MapDfsGateway();
        try
        {
            await app.StartAsync();
        }
        catch (LocalClusterStartException e)
        {
            Console.Error.WriteLine($"The local cluster did not start: {e.Message}");
            return 1;
        }
        var gateway = $"http://{config.Gateway.Host}:{config.Gateway.Port}";
        Console.WriteLine($"Dfs gateway listening on {gateway}; waiting for a leader, every chunk server and a first write");
        try
        {
            var view = await app.Services.GetRequiredService<ClusterReadiness>().WaitAsync(app.Lifetime.ApplicationStopping);
            // The line scripts and tests wait for: printed only once /health answers 200 and a file could be written.
            Console.WriteLine($"Dfs gateway ready on {gateway}: leader {view.Leader}, {view.ChunkServers.Count} chunk servers, replication {view.ReplicationFactor}");
            Console.WriteLine($"  Swagger UI   {gateway}/swagger");
            Console.WriteLine($"  cluster      curl {gateway}/api/cluster");
            Console.WriteLine($"  upload       curl -T FILE {gateway}/api/files/path/to/FILE");
            Console.WriteLine($"  command line dotnet run --project Dfs.Cli -- --gateway {gateway} ls -l /");
            Console.WriteLine("  Ctrl-C stops the gateway" + (arguments.NoLaunch ? "." : " and every node it started."));
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Stopped before the cluster was ready.
        }
        await app.WaitForShutdownAsync();
        return 0;
    }
}
