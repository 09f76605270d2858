using Dfs.Client.Master;
using Dfs.Gateway.Cluster;
using Dfs.Testing;
using Dfs.Testing.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Gateway.Tests.Cluster;

public sealed class ClusterStatusServiceTests
{
    [Fact]
    public async Task GetAsync_OverRunningMasters_ReportsTheLeaderEveryMasterFollows()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var service = new ClusterStatusService(cluster.Config, masters, launched: null, NullLogger<ClusterStatusService>.Instance);

        ClusterView? view = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            view = await service.GetAsync(CancellationToken.None);
            return view.Leader == leader.Id && view.Masters.All(m => m.Healthy && m.LeaderId == leader.Id);
        }, cluster.Timeout, () => $"view {view}; cluster {cluster.Describe()}", $"every master healthy and following {leader.Id}");

        Assert.Equal(cluster.Masters.Select(m => m.Id), view!.Masters.Select(m => m.Id));
        Assert.Equal("Leader", view.Masters.Single(m => m.Id == leader.Id).Role);
    }

    [Fact]
    public async Task GetAsync_WithAMasterDown_ReportsItUnhealthyAndTheOthersLeader()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var first = await cluster.WaitForLeaderAsync();
        await cluster.KillMasterAsync(first.Id);
        await cluster.WaitForLeaderAsync(m => m.Id != first.Id);
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var service = new ClusterStatusService(cluster.Config, masters, launched: null, NullLogger<ClusterStatusService>.Instance);

        // A status view is a snapshot of three independent answers: on a loaded machine one may time out or a
        // leadership change may land between them, so wait for a view that has settled.
        ClusterView? view = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            view = await service.GetAsync(CancellationToken.None);
            return view.Leader is not null && view.Leader != first.Id;
        }, cluster.Timeout, () => $"view {view}; cluster {cluster.Describe()}", $"a leader other than the killed {first.Id}");

        Assert.False(view!.Masters.Single(m => m.Id == first.Id).Healthy);
        Assert.NotEqual(first.Id, view.Leader);
    }
}
