using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>A change sent again under the same client id and sequence number (a lost answer, a failover) is applied once.</summary>
public sealed class ExactlyOnceTests
{
    [Fact]
    public async Task Commit_SentTwice_AppliesOnce_AndAnswersTheSameResultBothTimes()
    {
        var c = new ServiceTestContext();
        var content = await c.AllocatedContentAsync("/f", 1);
        var request = new MetadataRequest(MetadataOp.Commit) { Path = "/f", Expected = ExpectedVersion.Any.Number, Content = content };

        var first = await c.SendAsync(request, sequence: 7);
        var again = await c.SendAsync(request, sequence: 7);

        Assert.Equal(first, again);
        Assert.Equal(1, MetadataResultCodec.DecodeCommit(first).Version);
        Assert.Equal([1L], (await c.Service.ListVersionsAsync("/f")).Select(v => v.Number));
        // A new sequence number is a new commit, refused here because its chunks were consumed by the first.
        var e = await Assert.ThrowsAsync<MetadataException>(() => c.SendAsync(request, sequence: 8));
        Assert.Equal(MetadataErrorCode.Conflict, e.Code);
    }

    [Fact]
    public async Task Mkdir_SentTwice_AnswersCreatedBothTimes_InsteadOfAlreadyExists()
    {
        var c = new ServiceTestContext();
        var request = new MetadataRequest(MetadataOp.Mkdir) { Path = "/d", Flag = false };

        Assert.True(MetadataResultCodec.DecodeBoolean(await c.SendAsync(request, 1)));
        Assert.True(MetadataResultCodec.DecodeBoolean(await c.SendAsync(request, 1)));
        await Assert.ThrowsAsync<MetadataException>(() => c.SendAsync(request, 2));
    }

    [Fact]
    public async Task Allocate_SentTwice_AllocatesOneChunk()
    {
        var c = new ServiceTestContext();
        var request = new MetadataRequest(MetadataOp.AllocateChunk) { Path = "/f" };

        var first = MetadataResultCodec.DecodeAllocation(await c.SendAsync(request, 3));
        var again = MetadataResultCodec.DecodeAllocation(await c.SendAsync(request, 3));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Pipeline, again.Pipeline);
        Assert.Equal(1, await c.CountAsync('A'));
    }

    [Fact]
    public async Task ABatchOfAllocations_SentTwice_AllocatesOneBatch_AndAnswersItAgain()
    {
        var c = new ServiceTestContext();
        var request = new MetadataRequest(MetadataOp.AllocateChunks) { Path = "/f", Count = 4 };

        var first = MetadataResultCodec.DecodeAllocations(await c.SendAsync(request, 3));
        var again = MetadataResultCodec.DecodeAllocations(await c.SendAsync(request, 3));

        Assert.Equal(first.Select(a => a.Id), again.Select(a => a.Id));
        Assert.Equal(4, await c.CountAsync('A'));
    }

    [Fact]
    public async Task Delete_AndRename_SentTwice_ApplyOnce()
    {
        var c = new ServiceTestContext();
        await c.Service.MkdirAsync("/a/x");
        await c.Service.MkdirAsync("/b");
        var rename = new MetadataRequest(MetadataOp.Rename) { Path = "/a", Target = "/c" };
        var delete = new MetadataRequest(MetadataOp.Delete) { Path = "/c", Flag = true };

        await c.SendAsync(rename, 1);
        await c.SendAsync(rename, 1);
        var first = await c.SendAsync(delete, 2);
        var again = await c.SendAsync(delete, 2);

        Assert.Equal(first, again);
        Assert.Equal(2, MetadataResultCodec.DecodeDelete(again).EntriesDeleted);
        Assert.Equal(["b"], (await c.Service.ListAsync("/")).Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task Bump_AndUnlock_SentTwice_ApplyOnce()
    {
        var c = new ServiceTestContext();
        var allocation = await c.Service.AllocateChunkAsync("/f");
        var bump = new MetadataRequest(MetadataOp.BumpChunkVersion) { ChunkId = allocation.Id.Value, ChunkVersion = 1, Survivors = allocation.Pipeline };
        var grant = await c.Service.LockAsync("/f", "me", TimeSpan.FromSeconds(30), TimeSpan.Zero);
        var unlock = new MetadataRequest(MetadataOp.Unlock) { Path = "/f", Owner = "me", LeaseId = grant.LeaseId };

        Assert.Equal(2, MetadataResultCodec.DecodeAllocation(await c.SendAsync(bump, 1)).Version);
        Assert.Equal(2, MetadataResultCodec.DecodeAllocation(await c.SendAsync(bump, 1)).Version);
        await c.SendAsync(unlock, 2);
        await c.SendAsync(unlock, 2);
        Assert.Empty(await c.Service.LockQueueAsync("/f"));
    }

    [Fact]
    public async Task RecordsBelowTheLowestUnansweredSequence_AreDroppedByTheClientsNextChange()
    {
        var c = new ServiceTestContext();
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            await c.SendAsync(new MetadataRequest(MetadataOp.Mkdir) { Path = $"/d{sequence}", Flag = true }, sequence);
        }
        Assert.Equal(3, await c.CountAsync('O'));

        await c.SendAsync(new MetadataRequest(MetadataOp.Mkdir) { Path = "/d4", Flag = true }, 4, lowestUnanswered: 4);

        Assert.Equal(1, await c.CountAsync('O'));
    }

    [Fact]
    public async Task ReadsAndNoOps_RecordNothing()
    {
        var c = new ServiceTestContext();
        await c.Service.MkdirAsync("/d");

        await c.SendAsync(new MetadataRequest(MetadataOp.Mkdir) { Path = "/d", Flag = true }, 1);
        await c.SendAsync(new MetadataRequest(MetadataOp.Stat) { Path = "/d" }, 2);

        Assert.Equal(0, await c.CountAsync('O'));
    }

    [Fact]
    public async Task RecordedOutcomes_ExpireAfterTheirTimeToLive()
    {
        var time = new Dfs.Testing.FakeTimeProvider();
        var c = new ServiceTestContext(time, new Dfs.Raft.Metadata.Service.FileSystemServiceOptions { OutcomeTtl = TimeSpan.FromMinutes(1) });
        await c.SendAsync(new MetadataRequest(MetadataOp.Mkdir) { Path = "/d", Flag = true }, 1);

        await c.Service.CollectOnceAsync(CancellationToken.None);
        Assert.Equal(1, await c.CountAsync('O'));
        time.Advance(TimeSpan.FromMinutes(2));
        await c.Service.CollectOnceAsync(CancellationToken.None);

        Assert.Equal(0, await c.CountAsync('O'));
    }
}
