namespace Dfs.Raft.Master;

/// <summary>Starts the master's Raft node with the process and stops it gracefully (leadership handed over) on SIGTERM.</summary>
public sealed class MasterNodeService(MasterNode node) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => node.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => node.StopAsync(cancellationToken);
}
