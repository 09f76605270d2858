using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

public sealed class MetadataVersionTests
{
    [Fact]
    public async Task Commits_KeepTheLastN_AndReportDroppedChunks()
    {
        const int keep = 4;
        var ctx = new MetadataTestContext(new MetadataOptions { KeepVersions = keep });
        var dropped = new List<ulong>();
        for (var v = 1; v <= keep + 2; v++)
        {
            var result = await ctx.Store.CommitAsync("/f", v == 1 ? ExpectedVersion.None : ExpectedVersion.Is(v - 1), MetadataTestContext.Content((ulong)(v * 10), (ulong)(v * 10 + 1)));
            Assert.Equal(v, result.Version);
            dropped.AddRange(result.DroppedChunkIds);
        }
        var versions = await ctx.Store.ListVersionsAsync("/f");
        Assert.Equal([6L, 5L, 4L, 3L], versions.Select(v => v.Number));
        Assert.Equal([10UL, 11UL, 20UL, 21UL], dropped.Order());
        Assert.Equal(keep - 1, await ctx.CountAsync('V'));
        foreach (var v in versions)
        {
            var read = await ctx.Store.GetVersionAsync("/f", v.Number);
            Assert.Equal((ulong)(v.Number * 10), read.Chunks[0].ChunkId);
        }
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.VersionNotFound, () => ctx.Store.GetVersionAsync("/f", 2));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.VersionNotFound, () => ctx.Store.GetVersionAsync("/f", 7));
        Assert.Equal([10UL, 11UL, 20UL, 21UL], (await ctx.Store.PendingGarbageAsync()).SelectMany(g => g.ChunkIds).Order());
    }

    [Fact]
    public async Task KeepOne_DropsThePreviousVersionAtEachCommit()
    {
        var ctx = new MetadataTestContext(new MetadataOptions { KeepVersions = 1 });
        await ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        var second = await ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(2));
        Assert.Equal([1L], second.DroppedVersions);
        Assert.Equal([1UL], second.DroppedChunkIds);
        Assert.Equal(0, await ctx.CountAsync('V'));
    }

    [Fact]
    public async Task ExpectedVersion_Mismatch_IsAConflictAndChangesNothing()
    {
        var ctx = new MetadataTestContext();
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(1)));
        await ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(2)));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Is(2), MetadataTestContext.Content(2)));
    }

    [Fact]
    public async Task RacingCommits_OnOneVersion_OneWinsAndTheOtherConflicts()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        ctx.Kv.HoldUntil(2);
        var a = Outcome(ctx.Store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(100)));
        var b = Outcome(ctx.Store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(200)));
        var outcomes = await Task.WhenAll(a, b);
        Assert.Single(outcomes, o => o == 2);
        Assert.Single(outcomes, o => o == -(int)MetadataErrorCode.Conflict);
        Assert.Equal(2, (await ctx.Store.StatAsync("/f")).Version);
        Assert.Equal([2L, 1L], (await ctx.Store.ListVersionsAsync("/f")).Select(v => v.Number));
    }

    [Fact]
    public async Task RacingCreates_WithMustNotExist_OneWinsAndTheOtherConflicts()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d");
        await ctx.Store.CommitAsync("/d/warm", ExpectedVersion.None, MetadataTestContext.Content(1));
        ctx.Kv.HoldUntil(2);
        var outcomes = await Task.WhenAll(
            Outcome(ctx.Store.CommitAsync("/d/new", ExpectedVersion.None, MetadataTestContext.Content(100))),
            Outcome(ctx.Store.CommitAsync("/d/new", ExpectedVersion.None, MetadataTestContext.Content(200))));
        Assert.Single(outcomes, o => o == 1);
        Assert.Single(outcomes, o => o == -(int)MetadataErrorCode.Conflict);
        Assert.Equal(2, await ctx.CountAsync('E') - 1);
    }

    [Fact]
    public async Task ConcurrentCreates_InOneDirectory_BothSucceed_AndADeleteRacingThemIsRefused()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d");
        await ctx.Store.CommitAsync("/warm", ExpectedVersion.None, MetadataTestContext.Content(1));
        ctx.Kv.HoldUntil(3);
        var outcomes = await Task.WhenAll(
            Outcome(ctx.Store.CommitAsync("/d/x", ExpectedVersion.None, MetadataTestContext.Content(2))),
            Outcome(ctx.Store.CommitAsync("/d/y", ExpectedVersion.None, MetadataTestContext.Content(3))),
            Outcome(ctx.Store.DeleteAsync("/d")));
        // Either the delete lands first and both creates then find no parent, or a create lands first and the delete sees a child.
        var deleted = outcomes[2] == 0;
        var createOutcome = deleted ? -(int)MetadataErrorCode.NotFound : 1;
        Assert.Equal([createOutcome, createOutcome], outcomes.Take(2));
        Assert.Equal(deleted ? 0 : -(int)MetadataErrorCode.DirectoryNotEmpty, outcomes[2]);
        Assert.Equal(await ctx.CountAsync('E'), await ctx.CountAsync('I'));
        Assert.Equal(deleted ? 1 : 4, await ctx.CountAsync('I'));
    }

    private static async Task<long> Outcome(Task<CommitResult> task)
    {
        try
        {
            return (await task).Version;
        }
        catch (MetadataException e)
        {
            return -(int)e.Code;
        }
    }

    private static async Task<long> Outcome(Task<DeleteResult> task)
    {
        try
        {
            await task;
            return 0;
        }
        catch (MetadataException e)
        {
            return -(int)e.Code;
        }
    }
}
