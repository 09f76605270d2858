namespace Dfs.Gateway.Launcher;

/// <summary>
/// Runs <see cref="LocalCluster"/> with the host: starts every node and waits for their ready lines before the host
/// reports started, and stops them (chunk servers, then masters) when the host stops.
/// </summary>
public sealed class LocalClusterService(LocalCluster cluster, TimeSpan startTimeout, ILogger<LocalClusterService> logger) : IHostedService
{
    /// <exception cref="LocalClusterStartException">A node could not be started or was not ready in time; the started ones are stopped.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LauncherLog.Starting(logger, cluster.Config.Masters.Count, cluster.Config.ChunkServers.Count);
        try
        {
            await cluster.StartAsync(startTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or FileNotFoundException or System.ComponentModel.Win32Exception)
        {
            LauncherLog.StartFailed(logger, e);
            // The host does not stop a service whose start failed: the nodes already running are stopped here.
            await cluster.DisposeAsync();
            throw new LocalClusterStartException(e.Message, e);
        }
        LauncherLog.Ready(logger);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LauncherLog.Stopping(logger);
        await cluster.DisposeAsync();
    }
}
