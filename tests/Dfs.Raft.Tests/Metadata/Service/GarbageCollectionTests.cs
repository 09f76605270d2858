using Dfs.Client.Metadata;
using Dfs.Raft.Metadata.Service;
using Dfs.Testing;

namespace Dfs.Raft.Tests.Metadata.Service;

public sealed class GarbageCollectionTests
{
    private static ServiceTestContext Context(FakeTimeProvider time) =>
        new(time, new FileSystemServiceOptions { VersionsKept = 1, GarbageGrace = TimeSpan.FromSeconds(5), OrphanChunkGrace = TimeSpan.FromMinutes(10) });

    [Fact]
    public async Task DroppedChunks_AreDeletedOnlyAfterTheGrace_AndForgottenOnlyOnceNoServerHoldsThem()
    {
        var time = new FakeTimeProvider();
        var c = Context(time);
        var v1 = await c.AllocatedContentAsync("/f", 1);
        await c.Service.CommitAsync("/f", ExpectedVersion.Any, v1);
        await c.Service.CommitAsync("/f", ExpectedVersion.Any, await c.AllocatedContentAsync("/f", 1));
        var dropped = v1.Chunks[0].ChunkId;
        c.Directory.Hold(dropped, 1, "c1", "c2");
        Assert.Equal(1, await c.CountAsync('G'));

        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Empty(c.Directory.DeleteAsked);

        time.Advance(TimeSpan.FromSeconds(6));
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Equal([dropped], c.Directory.DeleteAsked);
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Equal(1, await c.CountAsync('G'));

        c.Directory.Drop(dropped);
        Assert.Equal(1, await c.Service.CollectOnceAsync(CancellationToken.None));
        Assert.Equal(0, await c.CountAsync('G'));
    }

    [Fact]
    public async Task AFreshLeader_WaitsTheGraceAgain_AndAsksAgain()
    {
        var time = new FakeTimeProvider();
        var c = Context(time);
        var content = await c.AllocatedContentAsync("/f", 1);
        c.Directory.Hold(content.Chunks[0].ChunkId, 1, "c1");
        await c.Service.CommitAsync("/f", ExpectedVersion.Any, content);
        await c.Service.DeleteAsync("/f");
        await c.Service.CollectOnceAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(6));
        await c.Service.CollectOnceAsync(CancellationToken.None);
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Single(c.Directory.DeleteAsked);

        c.Service.ResetCollection();
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Single(c.Directory.DeleteAsked);
        time.Advance(TimeSpan.FromSeconds(6));
        await c.Service.CollectOnceAsync(CancellationToken.None);

        Assert.Equal(2, c.Directory.DeleteAsked.Count);
    }

    [Fact]
    public async Task AnOrphanAllocation_IsClaimedAfterItsGrace_SoItsLateCommitIsRefused_AndForgottenOnceNoServerHoldsIt()
    {
        var time = new FakeTimeProvider();
        var c = Context(time);
        var orphan = await c.AllocatedContentAsync("/f", 1);
        var id = orphan.Chunks[0].ChunkId;
        c.Directory.Hold(id, 1, "c1");

        time.Advance(TimeSpan.FromMinutes(9));
        var young = await c.AllocatedContentAsync("/g", 1);
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Empty(c.Directory.DeleteAsked);
        time.Advance(TimeSpan.FromMinutes(2));
        await c.Service.CollectOnceAsync(CancellationToken.None);

        Assert.Equal([id], c.Directory.DeleteAsked);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, orphan));
        Assert.Equal(2, await c.CountAsync('A'));
        c.Directory.Drop(id);
        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Equal(1, await c.CountAsync('A'));
        Assert.Equal(1, (await c.Service.CommitAsync("/g", ExpectedVersion.Any, young)).Version);
    }

    [Fact]
    public async Task Collection_OnAFollower_IsNotLeader()
    {
        var c = new ServiceTestContext();
        var follower = new FileSystemService(c.Kv, c.Directory, new FollowerLeadership(), c.Options);

        await Assert.ThrowsAsync<Dfs.Raft.Consensus.Hosting.NotLeaderException>(() => follower.CollectOnceAsync(CancellationToken.None));
        await Assert.ThrowsAsync<Dfs.Raft.Consensus.Hosting.NotLeaderException>(() => follower.ChunkServersAsync());
        await Assert.ThrowsAsync<Dfs.Raft.Consensus.Hosting.NotLeaderException>(() => follower.AllocateChunkAsync("/f"));
    }

    private sealed class FollowerLeadership : IMetadataLeadership
    {
        public bool IsLeader => false;

        public void ThrowIfNotLeader() => throw new Dfs.Raft.Consensus.Hosting.NotLeaderException("m2", "m1");
    }
}
