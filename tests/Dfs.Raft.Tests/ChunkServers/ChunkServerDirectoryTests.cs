using Dfs.Client.ChunkServers;
using Dfs.Raft.ChunkServers;
using static Dfs.Raft.Tests.ChunkServers.DirectoryFixture;

namespace Dfs.Raft.Tests.ChunkServers;

public sealed class ChunkServerDirectoryTests
{
    private static readonly string[] Four = ["c1", "c2", "c3", "c4"];

    [Fact]
    public async Task Place_PicksDistinctLiveServers_SkippingDeadDrainingFullAndExcluded()
    {
        using var f = new DirectoryFixture();
        f.Full("c1");
        f.Full("c2");
        f.Full("c3");
        f.Beat("c4", full: true, free: 10); // full: below the minimum free space
        f.Full("c5");
        f.Full("c6");
        await f.Directory.SetDrainingAsync("c5", true, CancellationToken.None);
        f.Time.Advance(TimeSpan.FromSeconds(3));
        f.BeatAll("c1", "c2", "c3", "c5");
        f.Time.Advance(TimeSpan.FromSeconds(3)); // c6 silent for 6 s: dead

        for (var i = 0; i < 50; i++)
        {
            var placed = f.Directory.Place(2, exclude: ["c1"]);
            Assert.Equal(2, placed.Select(p => p.Id).Distinct().Count());
            Assert.All(placed, p => Assert.Contains(p.Id, new[] { "c2", "c3" }));
        }
        Assert.Throws<NotEnoughChunkServersException>(() => f.Directory.Place(3, exclude: ["c1"]));
    }

    [Fact]
    public void Place_SpreadsChunksPlacedBetweenHeartbeats()
    {
        using var f = new DirectoryFixture();
        foreach (var id in Four)
        {
            f.Full(id);
        }
        var primaries = Enumerable.Range(0, 8).Select(_ => f.Directory.Place(1)[0].Id).ToList();

        // Each placement counts as load until the next heartbeat, so equal servers take turns.
        Assert.Equal(4, primaries.Distinct().Count());
        Assert.All(primaries.GroupBy(p => p), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public void Place_PrefersFreeSpaceAndLowLoad()
    {
        using var f = new DirectoryFixture();
        f.Beat("c1", full: true, free: 100_000_000);
        f.Beat("c2", full: true, free: 1_000_000);
        f.Beat("c3", full: true, free: 100_000_000, load: 40);
        Assert.Equal("c1", f.Directory.Place(1)[0].Id);
    }

    [Fact]
    public void Server_WithOneLateHeartbeat_StartsNoCopy()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id, Chunk(1));
        }
        f.Full("c4");
        f.Settle(Four);

        // c3's heartbeat comes late, but before the dead timeout.
        f.Time.Advance(TimeSpan.FromSeconds(4.5));
        f.BeatAll("c1", "c2", "c4");
        f.Directory.RunDuties();
        f.Beat("c3");
        f.Directory.RunDuties();

        Assert.Empty(f.Beat("c4").Replicate);
        Assert.Equal(0, f.Directory.View().ReplicationsInFlight);
        Assert.True(f.Directory.View().Servers.Single(s => s.Id == "c3").Alive);
    }

    [Fact]
    public void DeadServer_ItsChunksAreCopiedToAnotherServer_AndTheCopyEndsWhenReported()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id, Chunk(1));
        }
        f.Full("c4");
        f.Settle(Four);

        f.Time.Advance(TimeSpan.FromSeconds(5));
        f.BeatAll("c1", "c2", "c4");
        f.Directory.RunDuties();
        var view = f.Directory.View();
        Assert.False(view.Servers.Single(s => s.Id == "c3").Alive);
        Assert.Equal(1, view.UnderReplicatedChunks);

        var order = Assert.Single(f.Beat("c4").Replicate);
        Assert.Equal(1UL, order.ChunkId);
        Assert.Equal(1, order.Version);
        Assert.All(order.Sources, s => Assert.Contains(s.Port, new[] { Port("c1"), Port("c2") }));
        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);

        f.Beat("c4", added: [Chunk(1)]);
        f.Directory.RunDuties();
        Assert.Equal(0, f.Directory.View().ReplicationsInFlight);
        Assert.Equal(0, f.Directory.View().UnderReplicatedChunks);
        Assert.Equal(["c1", "c2", "c4"], f.Directory.Replicas(1, 1).Select(r => r.Id).Order());
    }

    [Fact]
    public void ReReplication_TakesFewestReplicasFirst_WithinTheBoundInFlight()
    {
        using var f = new DirectoryFixture(DefaultOptions with { MaxCopiesInFlight = 1 });
        f.Full("c1", Chunk(10), Chunk(20));
        f.Full("c2", Chunk(20));
        f.Full("c3", Chunk(10), Chunk(20));
        f.Full("c4");
        f.Full("c5");
        f.Settle("c1", "c2", "c3", "c4", "c5");

        f.Time.Advance(TimeSpan.FromSeconds(5));
        f.BeatAll("c1", "c2", "c4", "c5"); // c3 dead: chunk 10 has 1 replica left, chunk 20 has 2
        f.Directory.RunDuties();
        var orders = f.BeatAll("c1", "c2", "c4", "c5").SelectMany(r => r.Value.Replicate).ToList();

        var only = Assert.Single(orders);
        Assert.Equal(10UL, only.ChunkId);
        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void ReReplication_BoundsCopiesPerServer()
    {
        using var f = OneSourceOneTarget(chunks: 10);

        // c1 is the only source and c3 the only target: two copies at a time.
        Assert.Equal(2, f.Beat("c3").Replicate.Count);
        Assert.Equal(2, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void HeartbeatReportingAFinishedCopy_CarriesTheNextCopyOrders_WithoutWaitingForTheDutyLoop()
    {
        using var f = OneSourceOneTarget(chunks: 6);
        var first = f.Beat("c3").Replicate.Select(o => o.ChunkId).ToList();
        Assert.Equal(2, first.Count);

        // The reply to the heartbeat that reports both copies done already holds the next two: no duty pass ran in between.
        var reply = f.Beat("c3", added: [.. first.Select(id => Chunk(id))]);
        var next = reply.Replicate.Select(o => o.ChunkId).ToList();
        Assert.Equal(2, next.Count);
        Assert.Empty(next.Intersect(first));
        Assert.Equal(2, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void Copy_NotReportedWithinTheTimeout_IsRetriedElsewhere()
    {
        using var f = new DirectoryFixture(DefaultOptions with { CopyTimeout = TimeSpan.FromSeconds(10) });
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id, Chunk(1));
        }
        f.Full("c4");
        f.Full("c5");
        f.Settle("c1", "c2", "c3", "c4", "c5");
        f.Time.Advance(TimeSpan.FromSeconds(5));
        f.BeatAll("c1", "c2", "c4", "c5");
        var orders = new List<string>();
        f.Directory.RunDuties();
        Collect(f.BeatAll("c4", "c5"));
        for (var i = 0; i < 11; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(1));
            f.BeatAll("c1", "c2");
            Collect(f.BeatAll("c4", "c5"));
            f.Directory.RunDuties();
        }
        Collect(f.BeatAll("c4", "c5"));

        // One server first; after the timeout, the other.
        Assert.Equal(2, orders.Count);
        Assert.Equal(2, orders.Distinct().Count());

        void Collect(Dictionary<string, HeartbeatReply> replies) =>
            orders.AddRange(replies.Where(r => r.Value.Replicate.Count > 0).Select(r => r.Key));
    }

    [Fact]
    public void Copy_OrderedToAServerThatThenDies_IsOrderedElsewhere_WhenItIsDeclaredDead_NotAfterTheCopyTimeout()
    {
        using var f = new DirectoryFixture(DefaultOptions with { CopyTimeout = TimeSpan.FromSeconds(30) });
        // c1 took part in the write but died before reporting it; c2 and c3 did report. c1, with the most free space, is
        // still alive in this master's view, so it is the copy's first choice.
        f.Beat("c1", full: true, free: 100_000_000);
        f.Beat("c2", full: true, added: [Chunk(1)]);
        f.Beat("c3", full: true, added: [Chunk(1)]);
        f.Beat("c4", full: true, free: 1_000_000);
        f.Time.Advance(DefaultOptions.DeadAfter);
        f.Beat("c1", free: 100_000_000);
        f.BeatAll("c2", "c3");
        f.Beat("c4", free: 1_000_000);
        f.Directory.RunDuties();
        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);
        Assert.Empty(f.Beat("c4").Replicate);

        // c1 never heartbeats again; the others do, once a second, for less than the copy timeout.
        var orders = new List<ReplicateCommand>();
        for (var i = 0; i < 7; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(1));
            f.BeatAll("c2", "c3");
            orders.AddRange(f.Beat("c4", free: 1_000_000).Replicate);
            f.Directory.RunDuties();
        }

        var order = Assert.Single(orders);
        Assert.Equal(1UL, order.ChunkId);
        Assert.False(f.Directory.View().Servers.Single(s => s.Id == "c1").Alive);
        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void Copy_FromASourceThatThenDies_IsOrderedAgainFromTheLiveReplicas_WhenTheSourceIsDeclaredDead()
    {
        using var f = new DirectoryFixture(DefaultOptions with { CopyTimeout = TimeSpan.FromSeconds(30) });
        foreach (var id in new[] { "c1", "c2", "c3", "c4" })
        {
            f.Full(id);
        }
        f.Settle("c1", "c2", "c3", "c4");
        // A chunk written to c1, c2 and c3 without an allocation: c1's report comes first, so it looks like a lone replica
        // and copies from c1 are ordered. Then c1 dies, and the writers c2 and c3 report it.
        f.Beat("c1", added: [Chunk(1)]);
        f.Directory.RunDuties();
        var first = f.BeatAll("c2", "c3", "c4").SelectMany(r => r.Value.Replicate).ToList();
        Assert.NotEmpty(first);
        Assert.All(first, o => Assert.Equal([Port("c1")], o.Sources.Select(s => s.Port)));
        f.Beat("c2", added: [Chunk(1)]);
        f.Beat("c3", added: [Chunk(1)]);

        // c4's copy from c1 can never land. Once c1 is declared dead, c4 is ordered to copy from c2 or c3, long before the copy timeout.
        var orders = new List<ReplicateCommand>();
        for (var i = 0; i < 7; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(1));
            f.BeatAll("c2", "c3");
            orders.AddRange(f.Beat("c4").Replicate);
            f.Directory.RunDuties();
        }

        var order = Assert.Single(orders);
        Assert.Equal(1UL, order.ChunkId);
        Assert.DoesNotContain(Port("c1"), order.Sources.Select(s => s.Port));
    }

    [Fact]
    public void Copy_ReportedFailedByItsTarget_IsOrderedToAnotherTargetInTheReply_LongBeforeTheCopyTimeout()
    {
        using var f = new DirectoryFixture(DefaultOptions with { CopyTimeout = TimeSpan.FromSeconds(30) });
        f.Full("c1", Chunk(1));
        f.Full("c2", Chunk(1));
        f.Full("c3");
        f.Full("c4");
        f.Settle("c1", "c2", "c3", "c4");
        f.Directory.RunDuties();
        var (target, order) = f.BeatAll("c3", "c4").Select(r => (r.Key, Orders: r.Value.Replicate)).Where(r => r.Orders.Count > 0)
            .Select(r => (r.Key, Assert.Single(r.Orders))).Single();
        var other = target == "c3" ? "c4" : "c3";

        // The target could copy from none of the sources: it says so in its next heartbeat, a second later.
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var reply = f.Beat(target, failedCopies: [new ReportedChunk(order.ChunkId, order.Version, 0)]);
        var reordered = f.Beat(other).Replicate;

        Assert.Empty(reply.Replicate);
        Assert.Equal(1UL, Assert.Single(reordered).ChunkId);
        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void AFailedCopyReport_OfAnotherVersionThanTheOrder_EndsNothing()
    {
        using var f = new DirectoryFixture(DefaultOptions with { CopyTimeout = TimeSpan.FromSeconds(30) });
        f.Full("c1", Chunk(1, version: 2));
        f.Full("c2", Chunk(1, version: 2));
        f.Full("c3");
        f.Settle("c1", "c2", "c3");
        f.Directory.RunDuties();
        var order = Assert.Single(f.Beat("c3").Replicate);

        f.Beat("c3", failedCopies: [new ReportedChunk(order.ChunkId, order.Version - 1, 0)]);

        Assert.Equal(1, f.Directory.View().ReplicationsInFlight);
    }

    [Fact]
    public void StaleReplica_IsDeleted_ButNeverTheLastReplica()
    {
        using var f = new DirectoryFixture();
        f.Full("c1", Chunk(1, version: 2), Chunk(2, version: 1));
        f.Full("c2", Chunk(1, version: 2));
        f.Full("c3", Chunk(1, version: 1));
        f.Settle("c1", "c2", "c3");
        f.Directory.SetChunkVersion(2, 5); // chunk 2's only replica is below the version a write recorded

        f.Directory.RunDuties();
        var replies = f.BeatAll("c1", "c2", "c3");

        Assert.Equal([1UL], replies["c3"].Delete);
        Assert.Empty(replies["c1"].Delete);
        Assert.DoesNotContain("c3", f.Directory.Replicas(1, 2).Select(r => r.Id));
        Assert.Equal(["c1"], f.Directory.Replicas(2, 1).Select(r => r.Id));
    }

    [Fact]
    public void SurplusReplica_OfAServerThatCameBack_IsTrimmedOnceFromTheFullestServer()
    {
        using var f = new DirectoryFixture();
        f.Full("c1", Chunk(1), Chunk(2));
        f.Full("c2", Chunk(1), Chunk(2));
        f.Full("c3", Chunk(1));
        f.Full("c4", Chunk(1));
        f.Settle("c1", "c2", "c3", "c4");
        f.Beat("c2", free: 10_000); // the fullest

        f.Directory.RunDuties();
        var first = f.BeatAll("c1", "c2", "c3", "c4");
        Assert.Equal([1UL], first["c2"].Delete);
        Assert.All(new[] { "c1", "c3", "c4" }, id => Assert.Empty(first[id].Delete));

        // c2 has not reported the deletion yet: no second replica is trimmed, and none is copied back.
        f.Directory.RunDuties();
        var second = f.BeatAll("c1", "c2", "c3", "c4");
        Assert.All(second.Values, reply => Assert.Empty(reply.Delete));
        Assert.All(second.Values, reply => Assert.Empty(reply.Replicate));

        f.Beat("c2", removed: [1]);
        f.Directory.RunDuties();
        var third = f.BeatAll("c1", "c2", "c3", "c4");
        Assert.All(third.Values, reply => Assert.Empty(reply.Delete));
        Assert.All(third.Values, reply => Assert.Empty(reply.Replicate));
        Assert.Equal(["c1", "c3", "c4"], f.Directory.Replicas(1, 1).Select(r => r.Id).Order());
        Assert.Equal(2, f.Directory.Replicas(2, 1).Count); // below the factor: copied, never trimmed
    }

    [Fact]
    public void CorruptReplica_IsDeletedAndCopiedFromAGoodOne()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id, Chunk(1));
        }
        f.Full("c4");
        f.Settle(Four);

        var reply = f.Beat("c2", removed: [1], corrupt: [Chunk(1)]);
        Assert.Equal([1UL], reply.Delete); // what is left of the bad replica goes
        f.Directory.RunDuties();

        var copy = Assert.Single(f.Beat("c4").Replicate);
        Assert.DoesNotContain(copy.Sources, s => s.Port == Port("c2"));
        Assert.DoesNotContain("c2", f.Directory.Replicas(1, 1).Select(r => r.Id));
    }

    [Fact]
    public async Task DrainingServer_ItsChunksAreCopiedAway_ThenItIsDrained()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id, Chunk(1));
        }
        f.Full("c4");
        f.Settle(Four);
        await f.Directory.SetDrainingAsync("c1", true, CancellationToken.None);

        f.Directory.RunDuties();
        var drainer = f.Directory.View().Servers.Single(s => s.Id == "c1");
        Assert.True(drainer.Draining);
        Assert.False(drainer.Drained);
        Assert.Single(f.Beat("c4").Replicate);
        Assert.DoesNotContain("c1", Enumerable.Range(0, 20).SelectMany(_ => f.Directory.Place(1).Select(p => p.Id)));

        f.Beat("c4", added: [Chunk(1)]);
        f.Directory.RunDuties();
        Assert.True(f.Directory.View().Servers.Single(s => s.Id == "c1").Drained);
    }

    [Fact]
    public async Task Draining_IsKeptInTheReplicatedStore_SoAnotherMasterKnowsIt()
    {
        using var f = new DirectoryFixture();
        f.Full("c1");
        await f.Directory.SetDrainingAsync("c1", true, CancellationToken.None);

        using var other = new DirectoryFixture(kv: f.Kv);
        await other.Directory.RefreshMembershipAsync(CancellationToken.None);

        var seen = Assert.Single(other.Directory.View().Servers);
        Assert.Equal(("c1", true, false), (seen.Id, seen.Draining, seen.Alive));
        await Assert.ThrowsAsync<ArgumentException>(() => other.Directory.SetDrainingAsync("c9", true, CancellationToken.None));
    }

    [Fact]
    public async Task Registration_OnANewLeaderThatHasNotReadTheRecords_KeepsTheStoredDrain()
    {
        using var f = new DirectoryFixture();
        f.Full("c1");
        await f.Directory.SetDrainingAsync("c1", true, CancellationToken.None);

        // A new leader hears c1 (now on another port) before its first pass reads the records back.
        using var next = new DirectoryFixture(kv: f.Kv);
        next.Directory.OnHeartbeat(new HeartbeatRequest("c1", "127.0.0.1", 9999, 1_000_100, 100, 1_000_000, 0, 1, true, 0, true, [], [], []));
        await Testing.Eventually.WaitUntilAsync(() => Stored(f, "c1").Port == 9999, TimeSpan.FromSeconds(5), () => $"stored {Stored(f, "c1")}",
            "the new leader rewrites c1's address");

        Assert.True(Stored(f, "c1").Draining);
        Assert.True(next.Directory.View().Servers.Single(s => s.Id == "c1").Draining);
    }

    [Fact]
    public async Task FirstHeartbeat_OnTheLeader_RegistersTheServer_SoANewLeaderListsItEvenDead()
    {
        using var f = new DirectoryFixture();
        f.Full("c1");
        await Testing.Eventually.WaitUntilAsync(() => f.Kv.Store.RangePrefix("C/"u8).Items.Count == 1, TimeSpan.FromSeconds(5), () => "no record");

        using var next = new DirectoryFixture(kv: f.Kv);
        await next.Directory.RefreshMembershipAsync(CancellationToken.None);
        var seen = Assert.Single(next.Directory.View().Servers);
        Assert.Equal(("c1", "127.0.0.1", Port("c1"), false, -1L), (seen.Id, seen.Host, seen.Port, seen.Alive, seen.LastHeardMs));
    }

    [Fact]
    public void Delete_TellsHoldersUntilTheyStopReportingTheChunk()
    {
        using var f = new DirectoryFixture();
        f.Full("c1", Chunk(1), Chunk(2));
        f.Full("c2", Chunk(1));
        f.Directory.Delete([1UL, 99UL]);

        Assert.False(f.Directory.NoneHeld([1UL]));
        Assert.True(f.Directory.NoneHeld([99UL]));
        Assert.Equal([1UL], f.Beat("c1").Delete);
        Assert.Equal([1UL], f.Beat("c1").Delete); // asked again until it stops reporting it
        Assert.Empty(f.Beat("c2", removed: [1]).Delete);
        f.Beat("c1", removed: [1]);

        Assert.True(f.Directory.NoneHeld([1UL]));
        Assert.Empty(f.Beat("c1").Delete);
        Assert.False(f.Directory.NoneHeld([2UL]));
    }

    [Fact]
    public void Follower_KeepsTheViewButGivesNoCommands()
    {
        using var f = new DirectoryFixture();
        f.Kv.FollowerOf = (true, "m2");
        f.Full("c1", Chunk(1));
        f.Directory.Delete([1UL]);

        var reply = f.Beat("c1");

        Assert.Equal((false, "m2"), (reply.IsLeader, reply.LeaderId));
        Assert.Empty(reply.Delete);
        Assert.Equal(["c1"], f.Directory.Replicas(1, 1).Select(r => r.Id));
    }

    [Fact]
    public void Delta_BeforeAnyFullReport_AsksForOne_AndPagedReportReplacesTheList()
    {
        using var f = new DirectoryFixture();
        Assert.True(f.Beat("c1", added: [Chunk(1)]).SendFullReport);

        Send(page: 0, last: false, Chunk(2));
        Assert.False(f.Directory.NoneHeld([1UL])); // replaced only when the last page is in
        Send(page: 1, last: true, Chunk(3));

        Assert.True(f.Directory.NoneHeld([1UL]));
        Assert.False(f.Directory.NoneHeld([2UL, 3UL]));
        Assert.False(f.Beat("c1").SendFullReport);
        Assert.True(Send(page: 5, last: true).SendFullReport); // out of order: start again

        HeartbeatReply Send(int page, bool last, params ReportedChunk[] chunks) =>
            f.Directory.OnHeartbeat(new HeartbeatRequest("c1", "127.0.0.1", 7001, 1000, 0, 1000, 0, 1, true, page, last, chunks, [], []));
    }

    private static (int Port, bool Draining) Stored(DirectoryFixture f, string id)
    {
        var item = f.Kv.Store.Get(System.Text.Encoding.UTF8.GetBytes("C/" + id))!;
        var member = ChunkServerMember.Read(item.Key.Span, item.Value.Span);
        return (member.Port, member.Draining);
    }

    // Replication 2 with at most 2 copies a server: c1 and c2 hold every chunk, c2 has just been declared dead, c3 is empty,
    // so c1 is the only source and c3 the only target; the duty pass has run.
    private static DirectoryFixture OneSourceOneTarget(int chunks)
    {
        var f = new DirectoryFixture(DefaultOptions with { MaxCopiesPerServer = 2, ReplicationFactor = 2 });
        var held = Enumerable.Range(1, chunks).Select(i => Chunk((ulong)i)).ToArray();
        f.Full("c1", held);
        f.Full("c2", held);
        f.Full("c3");
        f.Settle("c1", "c2", "c3");
        f.Time.Advance(TimeSpan.FromSeconds(5));
        f.BeatAll("c1", "c3");
        f.Directory.RunDuties();
        return f;
    }
}
