using Dfs.Common.Configuration;
using Dfs.Gateway.Cluster;
using Dfs.Gateway.Launcher;

namespace Dfs.Gateway;

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

        // Local mode (the default) starts every master and chunk server of the config as child processes.
        var launch = !args.Contains("--no-launch");
        await using var cluster = launch ? new LocalCluster(config, Path.GetFullPath(arguments.ConfigPath), Console.Out) : null;
        if (cluster is not null)
        {
            try
            {
                await cluster.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or FileNotFoundException)
            {
                Console.Error.WriteLine($"The local cluster did not start: {e.Message}");
                return 1;
            }
        }

        var builder = WebApplication.CreateBuilder(args.Where(a => a != "--no-launch").ToArray());
        builder.WebHost.UseUrls($"http://{config.Gateway.Host}:{config.Gateway.Port}");
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(new HttpClient());
        builder.Services.AddSingleton(sp => new ClusterStatusService(config, sp.GetRequiredService<HttpClient>(), cluster));
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen();

        var app = builder.Build();
        app.UseSwagger();
        app.UseSwaggerUI();
        app.MapGet("/health", async (ClusterStatusService status, CancellationToken ct) =>
                (await status.GetAsync(ct)).Leader is { } leader
                    ? Results.Ok(new { status = "ok", leader })
                    : Results.Problem("No master reports itself leader; the metadata group has no quorum.", statusCode: 503))
            .WithName("Health").WithSummary("200 when the gateway can reach a Raft leader.");
        app.MapGet("/api/cluster", (ClusterStatusService status, CancellationToken ct) => status.GetAsync(ct))
            .WithName("GetCluster").WithSummary("Masters (role, term, commit index, health, pid), chunk servers, and the current leader.");

        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"Dfs gateway ready: Swagger UI at http://{config.Gateway.Host}:{config.Gateway.Port}/swagger"));
        await app.RunAsync();
        return 0;
    }
}
