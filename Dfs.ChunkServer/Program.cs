using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Common.Configuration;
using Dfs.Common.Processes;
using Dfs.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer;

/// <summary>
/// The chunk server process: <c>--config config.json --id c1</c>, optionally <c>--port N</c> (0: the OS
/// chooses) and <c>--host ADDRESS</c> to override the config. Prints
/// <c>chunk server c1 ready on 127.0.0.1:7201</c> once it accepts connections; stops on SIGTERM or Ctrl-C.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ChunkServerSettings settings;
        ChunkServerHeartbeatOptions? heartbeats;
        string id;
        NodeArguments arguments;
        try
        {
            arguments = NodeArguments.Parse(args, idRequired: true);
            id = arguments.Id!;
            var config = ClusterConfig.Load(arguments.ConfigPath);
            settings = ChunkServerSettings.From(config, id, arguments.Host, arguments.Port);
            // A config without masters runs a standalone chunk server (benchmarks, pipeline tests): nobody to heartbeat to.
            heartbeats = config.Masters.Count > 0 ? ChunkServerHeartbeatOptions.From(config, id) : null;
        }
        catch (Exception e) when (e is ConfigurationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        await using var host = await ChunkServerHost.StartAsync(settings.Store, settings.Scrubber, settings.Server, ConfigureLogging,
            services =>
            {
                if (heartbeats is not null)
                {
                    services.AddChunkServerHeartbeats(heartbeats);
                }
                if (arguments.ParentPid is { } parent)
                {
                    services.AddHostedService(sp => new ParentProcessWatch(parent, sp.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System));
                }
            });
        var endpoint = host.Endpoint.ToString();
        // The line tests and launchers wait for; on stdout whatever the logging configuration.
        Console.Out.WriteLine($"chunk server {id} ready on {endpoint}");
        await Console.Out.FlushAsync();
        await host.WaitForShutdownAsync();
        return 0;
    }

    private static void ConfigureLogging(ILoggingBuilder logging) =>
        logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
}
