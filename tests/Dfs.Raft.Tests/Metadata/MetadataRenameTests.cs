using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

public sealed class MetadataRenameTests
{
    [Fact]
    public async Task Rename_MovesAFileKeepingItsVersions()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/src");
        await ctx.Store.MkdirAsync("/dst");
        await ctx.Store.CommitAsync("/src/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.Store.CommitAsync("/src/f", ExpectedVersion.Is(1), MetadataTestContext.Content(2));
        await ctx.Store.RenameAsync("/src/f", "/dst/g");
        Assert.Null(await ctx.Store.LookupAsync("/src/f"));
        Assert.Equal(2, (await ctx.Store.StatAsync("/dst/g")).Version);
        Assert.Equal([2L, 1L], (await ctx.Store.ListVersionsAsync("/dst/g")).Select(v => v.Number));
    }

    [Fact]
    public async Task Rename_OfADirectory_UsesTheSameOperationsForOneFileAndAThousand()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/small/dir", parents: true);
        await ctx.Store.MkdirAsync("/large/dir", parents: true);
        await ctx.Store.MkdirAsync("/target");
        await ctx.Store.CommitAsync("/small/dir/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        for (var i = 0; i < 1000; i++)
        {
            await ctx.Store.CommitAsync($"/large/dir/f{i}", ExpectedVersion.None, MetadataTestContext.Content((ulong)i + 10));
        }
        await ctx.Store.RenameAsync("/small/dir", "/target/small");
        var small = ctx.Kv.Transactions[^1];
        await ctx.Store.RenameAsync("/large/dir", "/target/large");
        var large = ctx.Kv.Transactions[^1];
        Assert.Equal(small.Success.Count, large.Success.Count);
        Assert.Equal(small.Compares.Count, large.Compares.Count);
        Assert.Equal(4, large.Success.Count);
        Assert.Equal(1000, (await ctx.Store.ListAsync("/target/large", null, 5000)).Entries.Count);
        Assert.Equal(1L, (await ctx.Store.StatAsync("/target/large/f999")).Version);
    }

    [Theory]
    [InlineData("/a", "/a/b")]
    [InlineData("/a", "/a/b/c/d")]
    [InlineData("/a/b", "/a/b/c/x")]
    public async Task Rename_IntoItselfOrADescendant_IsRefused(string source, string target)
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/a/b/c", parents: true);
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.RenameIntoItself, () => ctx.Store.RenameAsync(source, target));
    }

    [Fact]
    public async Task Rename_RacingWithAMoveOfTheTargetsAncestor_NeverMakesACycle()
    {
        // /a/x moves under /b while /b moves under /a/x: whichever lands second sees the first and is refused.
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/a/x", parents: true);
        await ctx.Store.MkdirAsync("/b");
        ctx.Kv.HoldUntil(2);
        var first = ctx.Store.RenameAsync("/a/x", "/b/x");
        var second = ctx.Store.RenameAsync("/b", "/a/x/b");
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));
        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o is MetadataErrorCode.RenameIntoItself or MetadataErrorCode.NotFound);
        var all = await ctx.DumpAsync();
        Assert.Equal(3, await ctx.CountAsync('E'));
        Assert.True((await ctx.Store.LookupAsync("/b/x")) is not null || (await ctx.Store.LookupAsync("/a/x/b")) is not null, string.Join("\n", all));
    }

    [Fact]
    public async Task Rename_ReplaceRules()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d/full", parents: true);
        await ctx.Store.MkdirAsync("/d/empty");
        await ctx.Store.MkdirAsync("/d/moving");
        await ctx.Store.CommitAsync("/d/full/x", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.Store.CommitAsync("/d/f1", ExpectedVersion.None, MetadataTestContext.Content(2));
        await ctx.Store.CommitAsync("/d/f2", ExpectedVersion.None, MetadataTestContext.Content(3));

        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.AlreadyExists, () => ctx.Store.RenameAsync("/d/f1", "/d/f2"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.IsADirectory, () => ctx.Store.RenameAsync("/d/f1", "/d/empty", replace: true));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotADirectory, () => ctx.Store.RenameAsync("/d/moving", "/d/f1", replace: true));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.DirectoryNotEmpty, () => ctx.Store.RenameAsync("/d/moving", "/d/full", replace: true));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => ctx.Store.RenameAsync("/d/nothing", "/d/x"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => ctx.Store.RenameAsync("/d/f1", "/nowhere/x"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => ctx.Store.RenameAsync("/d", "/"));

        await ctx.Store.RenameAsync("/d/f1", "/d/f2", replace: true);
        Assert.Equal(2UL, (await ctx.Store.GetVersionAsync("/d/f2")).Chunks[0].ChunkId);
        Assert.Contains(await ctx.Store.PendingGarbageAsync(), g => g.ChunkIds.SequenceEqual([3UL]));
        await ctx.Store.RenameAsync("/d/moving", "/d/empty", replace: true);
        Assert.Equal(["empty", "f2", "full"], (await ctx.Store.ListAsync("/d")).Entries.Select(e => e.Name));
        // d, full, full/x, empty (now the moved directory) and f2 (now the moved file) remain.
        Assert.Equal(5, await ctx.CountAsync('I'));
    }

    private static async Task<MetadataErrorCode?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (MetadataException e)
        {
            return e.Code;
        }
    }
}
