using System.Diagnostics;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Testing;

namespace Dfs.Raft.Tests.Hosting;

/// <summary>Three Raft hosts in this process over loopback TCP, each with its log in its own folder on disk.</summary>
public sealed class RaftClusterTests
{
    [Fact]
    public async Task ThreeNodes_ElectOneLeader_AndEveryNodeAppliesWhatItCommits()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();

        var commands = Enumerable.Range(1, 20).Select(i => $"c{i}").ToList();
        var indexes = new List<long>();
        foreach (var command in commands)
        {
            indexes.Add(await cluster.ProposeAsync(command));
        }

        Assert.Equal(indexes.Order(), indexes);
        await cluster.WaitForAppliedAsync(commands);
        Assert.Equal(RaftRole.Leader, leader.Host!.Status.Role);
    }

    [Fact]
    public async Task ConcurrentProposals_AreAllAppliedOnce_InTheSameOrderEverywhere()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();

        var commands = Enumerable.Range(1, 200).Select(i => $"p{i}").ToArray();
        var results = await Task.WhenAll(commands.Select(c =>
            leader.Host!.ProposeAsync(System.Text.Encoding.UTF8.GetBytes(c), CancellationToken.None)));

        Assert.Equal(commands.Length, results.Select(r => BitConverter.ToInt64(r.Span)).Distinct().Count());
        var applied = leader.StateMachine!.Commands;
        Assert.Equal(commands.Order(), applied.Order());
        await cluster.WaitForAppliedAsync(applied);
    }

    [Fact]
    public async Task KillingTheLeader_ElectsAnotherThatServesWrites_AndKeepsEveryAcknowledgedWrite()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var first = await cluster.WaitForLeaderAsync();
        var acknowledged = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            await cluster.ProposeAsync($"before{i}");
            acknowledged.Add($"before{i}");
        }

        await cluster.KillAsync(first.Id);
        var second = await cluster.WaitForLeaderAsync();
        for (var i = 0; i < 10; i++)
        {
            await cluster.ProposeAsync($"after{i}");
            acknowledged.Add($"after{i}");
        }

        Assert.NotEqual(first.Id, second.Id);
        await cluster.WaitForAppliedAsync(acknowledged);
    }

    [Fact]
    public async Task RestartedFollower_RecoversItsLogFromDisk_AndCatchesUp()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var commands = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            commands.Add($"a{i}");
            await cluster.ProposeAsync(commands[^1]);
        }
        await cluster.WaitForAppliedAsync(commands);
        var follower = cluster.Running.First(n => n.Id != leader.Id).Id;
        var lastIndexBefore = cluster[follower].Host!.Status.LastLogIndex;

        await cluster.KillAsync(follower);
        for (var i = 0; i < 10; i++)
        {
            commands.Add($"b{i}");
            await cluster.ProposeAsync(commands[^1]);
        }
        await cluster.StartNodeAsync(follower);

        // Before hearing from anyone, the restarted node already holds what it had written to disk.
        Assert.True(cluster[follower].Host!.Status.LastLogIndex >= lastIndexBefore,
            $"{follower} recovered {cluster[follower].Host!.Status.LastLogIndex} entries, had {lastIndexBefore}");
        await cluster.WaitForAppliedAsync(commands);
    }

    [Fact]
    public async Task FollowerDownWhileTheOthersCompact_CatchesUpThroughInstallSnapshot()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3, o => o.SnapshotThreshold = 25);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Running.First(n => n.Id != leader.Id).Id;
        await cluster.KillAsync(follower);

        var commands = new List<string>();
        for (var i = 0; i < 80; i++)
        {
            // Large enough that the snapshot goes to a file at the receiver, in several chunks.
            commands.Add($"k{i}-" + new string('x', 200));
            await cluster.ProposeAsync(commands[^1]);
        }
        await Eventually.WaitUntilAsync(() => cluster.Running.All(n => n.Host!.Status.SnapshotIndex >= 50), TcpTestCluster.Timeout,
            cluster.Describe, "the running nodes took a snapshot and compacted");

        await cluster.StartNodeAsync(follower);

        await cluster.WaitForAppliedAsync(commands);
        Assert.Equal(1, cluster[follower].StateMachine!.RestoreCount);
        Assert.True(cluster[follower].Host!.Status.SnapshotIndex >= 50, cluster.Describe());
    }

    [Fact]
    public async Task GracefulStopOfTheLeader_HandsOverToItsTarget_WithoutWaitingForAnElectionTimeout()
    {
        var electionTimeout = TimeSpan.FromSeconds(1);
        await using var cluster = await TcpTestCluster.StartAsync(3, o => o.ElectionTimeout = electionTimeout);
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.ProposeAsync("x");
        var term = leader.Host!.Status.Term;
        var host = leader.Host;

        var watch = Stopwatch.StartNew();
        await cluster.StopAsync(leader.Id);
        var next = await cluster.WaitForLeaderAsync();
        watch.Stop();

        Assert.Equal(host.LastTransferTarget, next.Id);
        Assert.Equal(term + 1, next.Host!.Status.Term);
        // Without a handover the followers would wait at least one election timeout after the last heartbeat.
        Assert.True(watch.Elapsed < electionTimeout, $"handover took {watch.Elapsed.TotalMilliseconds:0} ms");
        await cluster.ProposeAsync("y");
    }

    [Fact]
    public async Task ReadOnAFollower_FailsWithNotLeader_NamingTheLeader()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Running.First(n => n.Id != leader.Id);

        var error = await Assert.ThrowsAsync<NotLeaderException>(() => follower.Host!.ReadAsync(() => 0, CancellationToken.None));

        Assert.Equal(leader.Id, error.LeaderId);
    }

    [Fact]
    public async Task ProposalOnAFollower_FailsWithNotLeader_NamingTheLeader()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Running.First(n => n.Id != leader.Id);

        var error = await Assert.ThrowsAsync<NotLeaderException>(() => follower.Host!.ProposeAsync(new byte[] { 1 }, CancellationToken.None));

        Assert.Equal(leader.Id, error.LeaderId);
        Assert.Empty(follower.StateMachine!.Commands);
    }

    [Fact]
    public async Task ReadOnTheLeader_SeesEveryWriteAcknowledgedBeforeItStarted()
    {
        await using var cluster = await TcpTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var acknowledged = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await leader.Host!.ProposeAsync(System.Text.Encoding.UTF8.GetBytes($"w{i}"), CancellationToken.None);
                Volatile.Write(ref acknowledged, i + 1);
            }
        });

        var violations = new List<string>();
        while (!writer.IsCompleted)
        {
            var before = Volatile.Read(ref acknowledged);
            var seen = await leader.Host!.ReadAsync(() => leader.StateMachine!.CountUnsafe, CancellationToken.None);
            if (seen < before)
            {
                violations.Add($"read saw {seen} writes after {before} were acknowledged");
            }
        }
        await writer;

        Assert.Empty(violations);
        Assert.Equal(100, await leader.Host!.ReadAsync(() => leader.StateMachine!.CountUnsafe, CancellationToken.None));
    }
}
