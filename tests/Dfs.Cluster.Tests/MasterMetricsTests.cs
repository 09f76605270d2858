using System.Globalization;
using System.Text.RegularExpressions;
using Dfs.Testing;
using Dfs.Testing.Cluster;

namespace Dfs.Cluster.Tests;

public sealed partial class MasterMetricsTests
{
    [Fact]
    public async Task Metrics_OfEveryMaster_ShowItsTermCommitIndexAndRole_AndCountTheLeaderChangeAfterAKill()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var first = await cluster.WaitForLeaderAsync();
        using var http = new HttpClient();

        // A follower learns the leader's first commit a heartbeat later: each master's scrape is checked until it shows one.
        var last = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            var leaders = 0;
            foreach (var master in cluster.Masters)
            {
                var status = master.Raft.Status;
                // Scraped after the status was read: the scrape can only have moved forward.
                var text = await http.GetStringAsync(new Uri(master.ApiAddress, "/metrics"));
                last = text;
                Assert.True(MetricsScrape.Value(text, "dfs_raft_term") >= status.Term, text);
                Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
                if (MetricsScrape.Value(text, "dfs_raft_commit_index") < 1)
                {
                    return false;
                }
                leaders += (int)MetricsScrape.Value(text, "dfs_raft_is_leader");
            }
            return leaders == 1 && MetricsScrape.Value(await http.GetStringAsync(new Uri(first.ApiAddress, "/metrics")), "dfs_raft_is_leader") == 1;
        }, cluster.Timeout, () => last, "every master's scrape with a commit, and exactly one leader: the elected one");
        var survivor = cluster.Masters.First(m => m.Id != first.Id);
        var changesBefore = MetricsScrape.Value(await http.GetStringAsync(new Uri(survivor.ApiAddress, "/metrics")), "dfs_raft_leader_changes_total");
        var firstTerm = first.Raft.Status.Term;
        await cluster.KillMasterAsync(first.Id);
        var second = await cluster.WaitForLeaderAsync(m => m.Id != first.Id);

        var after = await http.GetStringAsync(new Uri(second.ApiAddress, "/metrics"));
        Assert.Equal(1, MetricsScrape.Value(after, "dfs_raft_is_leader"));
        Assert.True(MetricsScrape.Value(after, "dfs_raft_term") > firstTerm);
        var survivorAfter = MetricsScrape.Value(await http.GetStringAsync(new Uri(survivor.ApiAddress, "/metrics")), "dfs_raft_leader_changes_total");
        Assert.True(survivorAfter > changesBefore, $"leader changes seen by {survivor.Id}: {changesBefore} then {survivorAfter}");
    }
}
