using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

public sealed class MetadataNamespaceTests
{
    [Fact]
    public async Task Mkdir_WithParents_CreatesEveryLevelInOneTransaction()
    {
        var ctx = new MetadataTestContext();
        Assert.True(await ctx.Store.MkdirAsync("/a/b/c", parents: true));
        Assert.Single(ctx.Kv.Transactions, t => t.Success.Count == 6);
        foreach (var path in new[] { "/a", "/a/b", "/a/b/c" })
        {
            Assert.Equal(EntryKind.Directory, (await ctx.Store.StatAsync(path)).Kind);
        }
        Assert.False(await ctx.Store.MkdirAsync("/a/b", parents: true));
    }

    [Fact]
    public async Task Mkdir_WithoutParents_RefusesMissingParentAndExistingPath()
    {
        var ctx = new MetadataTestContext();
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => ctx.Store.MkdirAsync("/x/y"));
        await ctx.Store.MkdirAsync("/x");
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.AlreadyExists, () => ctx.Store.MkdirAsync("/x"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.AlreadyExists, () => ctx.Store.MkdirAsync("/"));
        await ctx.Store.CommitAsync("/x/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.AlreadyExists, () => ctx.Store.MkdirAsync("/x/f", parents: true));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotADirectory, () => ctx.Store.MkdirAsync("/x/f/g", parents: true));
    }

    [Fact]
    public async Task StatAndLookup_WalkEveryComponent()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d/e", parents: true);
        await ctx.Store.CommitAsync("/d/e/f", ExpectedVersion.None, MetadataTestContext.Content(7, 8));
        var stat = await ctx.Store.StatAsync("/d/e/f");
        Assert.Equal(("f", EntryKind.File, 20L, 1L), (stat.Name, stat.Kind, stat.Size, stat.Version));
        Assert.Equal(EntryKind.Directory, (await ctx.Store.StatAsync("/")).Kind);
        Assert.Null(await ctx.Store.LookupAsync("/d/nope/f"));
        Assert.Equal(MetadataErrorCode.NotFound, await ctx.RefusedAsync(() => ctx.Store.StatAsync("/d/x")));
        Assert.Equal(MetadataErrorCode.NotADirectory, await ctx.RefusedAsync(() => ctx.Store.StatAsync("/d/e/f/g")));
    }

    [Fact]
    public async Task List_PagesOfAThousand_GiveEveryNameOnceInOrder()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/big");
        var expected = new List<string>();
        for (var i = 0; i < 2500; i++)
        {
            var name = $"f{i:x5}";
            expected.Add(name);
            await ctx.Store.CommitAsync("/big/" + name, ExpectedVersion.None, MetadataTestContext.Content((ulong)i + 1));
        }
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await ctx.Store.ListAsync("/big", after, 1000);
            pages++;
            seen.AddRange(page.Entries.Select(e => e.Name));
            Assert.All(page.Entries, e => Assert.Equal((EntryKind.File, 10L, 1L), (e.Kind, e.Size, e.Version)));
            if (!page.More)
            {
                break;
            }
            after = page.Entries[^1].Name;
        }
        Assert.Equal(3, pages);
        Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task List_ShowsKindSizeVersionAndTime()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/p/sub", parents: true);
        await ctx.Store.CommitAsync("/p/file", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.Store.CommitAsync("/p/file", ExpectedVersion.Is(1), MetadataTestContext.Content(2, 3));
        var page = await ctx.Store.ListAsync("/p");
        Assert.False(page.More);
        Assert.Equal(["file", "sub"], page.Entries.Select(e => e.Name));
        Assert.Equal((EntryKind.File, 20L, 2L, 1_700_000_000_000L), (page.Entries[0].Kind, page.Entries[0].Size, page.Entries[0].Version, page.Entries[0].ModifiedMs));
        Assert.Equal(EntryKind.Directory, page.Entries[1].Kind);
        Assert.Equal(MetadataErrorCode.NotADirectory, await ctx.RefusedAsync(() => ctx.Store.ListAsync("/p/file")));
    }

    [Fact]
    public async Task Delete_FileAndEmptyDirectory_RemoveEveryKeyAndRecordGarbage()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d");
        await ctx.Store.CommitAsync("/d/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        await ctx.Store.CommitAsync("/d/f", ExpectedVersion.Any, MetadataTestContext.Content(2));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.DirectoryNotEmpty, () => ctx.Store.DeleteAsync("/d"));
        var deleted = await ctx.Store.DeleteAsync("/d/f");
        Assert.Equal([1UL, 2UL], deleted.DroppedChunkIds.Order());
        Assert.Equal(0, await ctx.CountAsync('V'));
        await ctx.Store.DeleteAsync("/d");
        Assert.Equal(0, await ctx.CountAsync('E'));
        Assert.Equal(0, await ctx.CountAsync('I'));
        var garbage = await ctx.Store.PendingGarbageAsync();
        Assert.Equal([1UL, 2UL], garbage.SelectMany(g => g.ChunkIds).Order());
        foreach (var record in garbage)
        {
            await ctx.Store.CollectedAsync(record);
        }
        Assert.Empty(await ctx.Store.PendingGarbageAsync());
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => ctx.Store.DeleteAsync("/"));
    }

    [Fact]
    public async Task Delete_Recursive_RemovesATreeLargerThanOneBatch()
    {
        var ctx = new MetadataTestContext(new MetadataOptions { DeleteBatch = 16 });
        for (var d = 0; d < 5; d++)
        {
            await ctx.Store.MkdirAsync($"/t/d{d}/deep", parents: true);
            for (var f = 0; f < 12; f++)
            {
                await ctx.Store.CommitAsync($"/t/d{d}/deep/f{f}", ExpectedVersion.None, MetadataTestContext.Content((ulong)(d * 100 + f + 1)));
            }
        }
        await ctx.Store.CommitAsync("/keep", ExpectedVersion.None, MetadataTestContext.Content(999));
        var txnsBefore = ctx.Kv.Transactions.Count;
        var result = await ctx.Store.DeleteAsync("/t", recursive: true);
        Assert.True(ctx.Kv.Transactions.Count - txnsBefore > 1);
        Assert.Equal(1 + 5 * 2 + 60, result.EntriesDeleted);
        Assert.Equal(60, result.DroppedChunkIds.Count);
        Assert.Equal(1, await ctx.CountAsync('E'));
        Assert.Equal(1, await ctx.CountAsync('I'));
        Assert.Null(await ctx.Store.LookupAsync("/t"));
    }

    [Fact]
    public async Task OneChunkFile_TakesTwoCompactKeys()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/data");
        var before = (E: await ctx.BytesAsync('E'), I: await ctx.BytesAsync('I'));
        await ctx.Store.CommitAsync("/data/object-000001.bin", ExpectedVersion.None,
            new NewVersion(64 << 20, 0xDEADBEEF, 1_700_000_000_000, "application/octet-stream", [new ChunkRef(123_456_789, 64 << 20, 0xABCDEF01, 1)]));
        var bytes = await ctx.BytesAsync('E') - before.E + await ctx.BytesAsync('I') - before.I;
        // Two keys at ~100 B of store overhead each, plus these bytes, stays under the 400 B per file budget.
        Assert.True(bytes <= 120, $"a one-chunk file holds {bytes} key and value bytes");
        Assert.Equal(0, await ctx.CountAsync('V'));
    }
}
