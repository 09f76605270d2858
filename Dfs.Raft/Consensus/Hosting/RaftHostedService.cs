using Microsoft.Extensions.Hosting;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>Starts the <see cref="RaftHost"/> with the process and stops it gracefully (a leader hands over first) when the process stops.</summary>
public sealed class RaftHostedService(RaftHost host) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => host.StartAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await host.StopAsync(cancellationToken);
    }
}
