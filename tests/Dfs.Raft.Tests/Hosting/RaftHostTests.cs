using System.Text;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Messages;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Dfs.Testing;

namespace Dfs.Raft.Tests.Hosting;

/// <summary>The host's own logic, over the in-memory network and stores.</summary>
public sealed class RaftHostTests
{
    private static readonly TimeSpan Timeout = InMemoryTestCluster.Timeout;

    [Theory]
    [InlineData(0, 50, 300, "TickInterval")]
    [InlineData(10, 5, 300, "HeartbeatInterval")]
    [InlineData(10, 50, 100, "ElectionTimeout")]
    public void Options_OutOfRange_AreRejectedNamingTheSetting(int tickMs, int heartbeatMs, int electionMs, string setting)
    {
        var options = new RaftHostOptions
        {
            NodeId = "m1",
            Members = ["m1"],
            TickInterval = TimeSpan.FromMilliseconds(tickMs),
            HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs),
            ElectionTimeout = TimeSpan.FromMilliseconds(electionMs),
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(setting, error.Message);
    }

    [Fact]
    public void Options_DeriveTicksFromTimes()
    {
        var options = new RaftHostOptions { NodeId = "m1", Members = ["m1"] };

        Assert.Equal((30, 5), (options.ElectionTicks, options.HeartbeatTicks));
    }

    [Fact]
    public async Task Ticks_ComeFromTheTimeProvider_SoNoElectionStartsUntilTimeAdvances()
    {
        var time = new FakeTimeProvider();
        var network = new InMemoryRaftNetwork();
        var options = InMemoryTestCluster.Options("m1", ["m1"]);
        await using var host = new RaftHost(options, new InMemoryRaftLogStore(), new InMemorySnapshotStore(), new RecordingStateMachine(),
            network.CreateTransport("m1"), time);
        await host.StartAsync(CancellationToken.None);

        // The loop answers (so it runs), yet with the clock stopped the node is still a follower of term 0.
        await Assert.ThrowsAsync<NotLeaderException>(() => host.ReadAsync(() => 0, CancellationToken.None));
        Assert.Equal((RaftRole.Follower, 0L), (host.Status.Role, host.Status.Term));

        await Eventually.WaitUntilAsync(() =>
        {
            time.Advance(options.TickInterval);
            return host.Status.Role == RaftRole.Leader;
        }, Timeout, () => $"{host.Status}, fake clock at {time.Elapsed}");
        Assert.True(time.Elapsed >= options.ElectionTimeout, $"elected after {time.Elapsed} of fake time, before the election timeout");
    }

    [Fact]
    public async Task SingleNode_CommitsOnItsOwnPersist_AndReturnsTheStateMachineResult()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(1);
        var leader = await cluster.WaitForLeaderAsync();

        var result = await leader.ProposeAsync(Encoding.UTF8.GetBytes("only"), CancellationToken.None);

        Assert.Equal(cluster.StateMachines["m1"].LastAppliedIndex, BitConverter.ToInt64(result.Span));
        Assert.Equal(["only"], cluster.StateMachines["m1"].Commands);
    }

    [Fact]
    public async Task LeaderChanged_IsRaisedWithTheNewLeader()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        cluster.Hosts["m1"].LeaderChanged += (_, e) => seen.Enqueue(e.LeaderId);

        var leader = await cluster.WaitForLeaderAsync();

        await Eventually.WaitUntilAsync(() => seen.Contains(leader.Id), Timeout, () => $"events: {string.Join(",", seen)}");
    }

    [Fact]
    public async Task ProposalOfAnIsolatedLeader_NeverCommits_AndFailsWithoutBeingReportedAsApplied()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var old = await cluster.WaitForLeaderAsync();
        await old.ProposeAsync(Encoding.UTF8.GetBytes("before"), CancellationToken.None);

        cluster.Network.Isolate(old.Id);
        var stranded = old.ProposeAsync(Encoding.UTF8.GetBytes("stranded"), CancellationToken.None);
        var others = cluster.Hosts.Keys.Where(id => id != old.Id).ToArray();
        var next = await cluster.WaitForLeaderAsync(others);
        await next.ProposeAsync(Encoding.UTF8.GetBytes("after"), CancellationToken.None);
        cluster.Network.HealAll();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => stranded);
        Assert.True(error is NotLeaderException or ProposalOutcomeUnknownException, $"unexpected {error.GetType().Name}: {error.Message}");
        await Eventually.WaitUntilAsync(() => cluster.StateMachines.Values.All(s => s.Commands.SequenceEqual(["before", "after"])), Timeout,
            () => string.Join("; ", cluster.StateMachines.Select(s => $"{s.Key}: {string.Join(",", s.Value.Commands)}")));
    }

    [Fact]
    public async Task FollowerThatAnswersButGetsNoEntries_ShowsAsLaggingInTheLeadersStatus_UntilItCatchesUp()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Hosts.Keys.First(id => id != leader.Id);
        cluster.Network.Lose = m => m is AppendEntries { Entries.Count: > 0 } append && append.To == follower;
        await leader.ProposeAsync(Encoding.UTF8.GetBytes("a"), CancellationToken.None);

        await Eventually.WaitUntilAsync(() => leader.Status.LaggingFollowers.SequenceEqual([follower]), Timeout,
            () => $"lagging: [{string.Join(",", leader.Status.LaggingFollowers)}]; {cluster.Describe()}");

        cluster.Network.Lose = null;
        await Eventually.WaitUntilAsync(() => leader.Status.LaggingFollowers.Count == 0 && cluster.Hosts[follower].Status.AppliedIndex == leader.Status.CommitIndex,
            Timeout, () => $"lagging: [{string.Join(",", leader.Status.LaggingFollowers)}]; {cluster.Describe()}");
    }

    [Fact]
    public async Task ReadOfALeaderThatLosesItsQuorum_FailsWithNotLeader()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        await leader.ProposeAsync(Encoding.UTF8.GetBytes("x"), CancellationToken.None);

        cluster.Network.Isolate(leader.Id);
        var read = leader.ReadAsync(() => "stale?", CancellationToken.None);

        await Assert.ThrowsAsync<NotLeaderException>(() => read);
    }

    [Fact]
    public async Task Proposal_AfterTheHostStopped_FailsWithObjectDisposed()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(1);
        var host = await cluster.WaitForLeaderAsync();

        await host.StopAsync(CancellationToken.None);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => host.ProposeAsync(new byte[] { 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task AddMember_CatchesUpANewNodeAsLearner_ThenMakesItAVoter()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        for (var i = 0; i < 30; i++)
        {
            await leader.ProposeAsync(Encoding.UTF8.GetBytes($"c{i}"), CancellationToken.None);
        }

        await cluster.StartNodeAsync("m4");
        await leader.AddMemberAsync("m4", CancellationToken.None);

        Assert.Contains("m4", leader.Status.Members.Voters);
        await Eventually.WaitUntilAsync(() => cluster.StateMachines["m4"].Commands.Count == 30, Timeout, cluster.Describe);
        await leader.ProposeAsync(Encoding.UTF8.GetBytes("with m4"), CancellationToken.None);
        await Eventually.WaitUntilAsync(() => cluster.StateMachines["m4"].Commands.Contains("with m4"), Timeout, cluster.Describe);
    }

    [Fact]
    public async Task RemoveMember_TakesTheNodeOutOfTheConfiguration()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        await leader.ProposeAsync(Encoding.UTF8.GetBytes("x"), CancellationToken.None);
        var removed = cluster.Hosts.Keys.First(id => id != leader.Id);

        await leader.RemoveMemberAsync(removed, CancellationToken.None);

        Assert.DoesNotContain(removed, leader.Status.Members.Voters);
        await leader.ProposeAsync(Encoding.UTF8.GetBytes("y"), CancellationToken.None);
    }

    [Fact]
    public async Task TransferLeadership_MovesLeadershipToTheTarget()
    {
        await using var cluster = await InMemoryTestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var target = cluster.Hosts.Keys.First(id => id != leader.Id);

        var moved = await leader.TransferLeadershipAsync(target, CancellationToken.None);

        Assert.True(moved, cluster.Describe());
        Assert.Equal(target, (await cluster.WaitForLeaderAsync()).Id);
    }

    [Fact]
    public async Task ConcurrentProposals_ShareFsyncs_OneSyncPerReadyNotPerCommand()
    {
        var network = new InMemoryRaftNetwork();
        var log = new CountingLogStore(new InMemoryRaftLogStore());
        var stateMachine = new RecordingStateMachine();
        await using var host = new RaftHost(InMemoryTestCluster.Options("m1", ["m1"]), log, new InMemorySnapshotStore(), stateMachine,
            network.CreateTransport("m1"));
        await host.StartAsync(CancellationToken.None);
        await Eventually.WaitUntilAsync(() => host.Status.Role == RaftRole.Leader, Timeout, () => host.Status.ToString());
        var syncsBefore = log.Syncs;

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            host.ProposeAsync(Encoding.UTF8.GetBytes($"c{i}"), CancellationToken.None)));

        Assert.Equal(500, stateMachine.Commands.Count);
        Assert.True(log.Syncs - syncsBefore < 500, $"{log.Syncs - syncsBefore} syncs for 500 commands");
        Assert.True(log.MaxEntriesPerSync > 1, $"at most {log.MaxEntriesPerSync} entries shared a sync");
    }

    /// <summary>Counts syncs and the entries each one made durable.</summary>
    private sealed class CountingLogStore(IRaftLogStore inner) : IRaftLogStore
    {
        private int _sinceSync;

        public int Syncs { get; private set; }

        public int MaxEntriesPerSync { get; private set; }

        public RecoveredLog Recover() => inner.Recover();

        public void Append(IReadOnlyList<LogEntry> entries)
        {
            _sinceSync += entries.Count;
            inner.Append(entries);
        }

        public void SetHardState(HardState state) => inner.SetHardState(state);

        public void Sync()
        {
            Syncs++;
            MaxEntriesPerSync = Math.Max(MaxEntriesPerSync, _sinceSync);
            _sinceSync = 0;
            inner.Sync();
        }

        public void CompactThrough(long index) => inner.CompactThrough(index);

        public void Reset(long nextIndex) => inner.Reset(nextIndex);

        public void Dispose() => inner.Dispose();
    }
}
