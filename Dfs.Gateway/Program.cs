using Dfs.Common.Configuration;
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
        builder.AddDfsGateway(config, new DfsGatewayOptions { Launch = !arguments.NoLaunch, ConfigPath = arguments.ConfigPath });
        await using var app = builder.Build();
        app.MapDfsGateway();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"Dfs gateway ready: Swagger UI at http://{config.Gateway.Host}:{config.Gateway.Port}/swagger"));
        try
        {
            await app.RunAsync();
        }
        catch (LocalClusterStartException e)
        {
            Console.Error.WriteLine($"The local cluster did not start: {e.Message}");
            return 1;
        }
        return 0;
    }
}
