using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;

namespace Dfs.Raft.Tests.Metadata.Service;

public sealed class FileSystemServiceTests
{
    [Fact]
    public async Task Commit_ThenLookup_AnswersTheVersionWithEachChunksLiveReplicas()
    {
        var c = new ServiceTestContext();
        Assert.True(await c.Service.MkdirAsync("/docs/a"));
        var content = await c.AllocatedContentAsync("/docs/a/f", 2);
        c.Directory.Hold(content.Chunks[0].ChunkId, 1, "c1", "c2");
        c.Directory.Hold(content.Chunks[1].ChunkId, 1, "c3");

        var committed = await c.Service.CommitAsync("/docs/a/f", ExpectedVersion.None, content);
        var location = await c.Service.LookupAsync("/docs/a/f");

        Assert.Equal(1, committed.Version);
        Assert.Equal("/docs/a/f", location.Path);
        Assert.Equal(EntryKind.File, location.Entry.Kind);
        Assert.Equal(20, location.Version.Size);
        Assert.Equal(content.Chunks, location.Version.Chunks);
        Assert.Equal(["c1", "c2"], location.Chunks[0].Replicas.Select(r => r.Id));
        Assert.Equal(["c3"], location.Chunks[1].Replicas.Select(r => r.Id));
    }

    [Fact]
    public async Task Lookup_OfAnOlderKeptVersion_AnswersThatVersion_AndOfADroppedOne_VersionNotFound()
    {
        var c = new ServiceTestContext();
        for (var i = 0; i < 3; i++)
        {
            await c.Service.CommitAsync("/f", ExpectedVersion.Any, await c.AllocatedContentAsync("/f", 1));
        }

        Assert.Equal(2, (await c.Service.LookupAsync("/f", 2)).Version.Number);
        Assert.Equal(3, (await c.Service.LookupAsync("/f")).Version.Number);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.VersionNotFound, () => c.Service.LookupAsync("/f", 1));
        Assert.Equal([3L, 2L], (await c.Service.ListVersionsAsync("/f")).Select(v => v.Number));
    }

    [Fact]
    public async Task Namespace_Operations_PassThroughToTheSchema()
    {
        var c = new ServiceTestContext();
        await c.Service.MkdirAsync("/a/b");
        await c.Service.CommitAsync("/a/b/f", ExpectedVersion.None, await c.AllocatedContentAsync("/a/b/f", 1));
        await c.Service.RenameAsync("/a/b", "/a/c");

        Assert.Equal(["c"], (await c.Service.ListAsync("/a")).Entries.Select(e => e.Name));
        Assert.Equal(EntryKind.File, (await c.Service.StatAsync("/a/c/f")).Kind);
        var deleted = await c.Service.DeleteAsync("/a", recursive: true);
        Assert.Equal(3, deleted.EntriesDeleted);
        Assert.Single(deleted.DroppedChunkIds);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => c.Service.StatAsync("/a"));
    }

    [Fact]
    public async Task Delete_WithAnExpectedVersion_RefusesAnotherCurrentVersion_AndDeletesTheExpectedOne()
    {
        var c = new ServiceTestContext();
        await c.Service.CommitAsync("/f", ExpectedVersion.None, await c.AllocatedContentAsync("/f", 1));
        await c.Service.CommitAsync("/f", ExpectedVersion.Is(1), await c.AllocatedContentAsync("/f", 1));
        await c.Service.MkdirAsync("/d");

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.DeleteAsync("/f", expected: ExpectedVersion.Is(1)));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.DeleteAsync("/f", expected: ExpectedVersion.None));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.IsADirectory, () => c.Service.DeleteAsync("/d", expected: ExpectedVersion.Is(1)));
        Assert.Equal(1, (await c.Service.DeleteAsync("/f", expected: ExpectedVersion.Is(2))).EntriesDeleted);
    }

    [Fact]
    public async Task Allocate_PlacesReplicationFactorServers_AtChunkVersionOne_WithFreshIds()
    {
        var c = new ServiceTestContext();

        var first = await c.Service.AllocateChunkAsync("/f");
        var second = await c.Service.AllocateChunkAsync("/f", ["c9"]);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(1, first.Version);
        Assert.Equal(["c1", "c2", "c3"], first.Pipeline.Select(s => s.Id));
        Assert.Equal(1, c.Directory.Versions[first.Id.Value]);
        Assert.Equal(2, await c.CountAsync('A'));
        var directory = new FakeChunkServerDirectory(4);
        var four = new Dfs.Raft.Metadata.Service.FileSystemService(c.Kv, directory, Dfs.Raft.Metadata.Service.AlwaysLeader.Instance, c.Options);
        Assert.DoesNotContain((await four.AllocateChunkAsync("/f", ["c1"])).Pipeline, s => s.Id == "c1");
    }

    [Fact]
    public async Task AllocateChunks_GivesEachChunkItsOwnId_AndAFullPipeline_AndEachCanBeCommitted()
    {
        var c = new ServiceTestContext();

        var batch = await c.Service.AllocateChunksAsync("/f", 5);

        Assert.Equal(5, batch.Select(a => a.Id).Distinct().Count());
        Assert.All(batch, a => Assert.Equal((1L, 3), (a.Version, a.Pipeline.Select(s => s.Id).Distinct().Count())));
        Assert.All(batch, a => Assert.Equal(1, c.Directory.Versions[a.Id.Value]));
        Assert.Equal(5, await c.CountAsync('A'));
        for (var i = 0; i < batch.Count; i++)
        {
            await c.Service.CommitAsync($"/f{i}", ExpectedVersion.None,
                new NewVersion(10, 7, 1_700_000_000_000, "", [new ChunkRef(batch[i].Id.Value, 10, 7, batch[i].Version)]));
        }
        Assert.Equal(0, await c.CountAsync('A'));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ChunkAllocation.MaxPerRequest + 1)]
    public async Task AllocateChunks_OfACountOutsideItsRange_IsInvalidArgument_NamingTheRange_AndChangesNothing(int count)
    {
        var c = new ServiceTestContext();

        var message = await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.AllocateChunksAsync("/f", count));

        Assert.Contains($"1..{ChunkAllocation.MaxPerRequest} chunks", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allocate_WithTooFewServers_IsInvalidArgument_SayingHowManyAreLive()
    {
        var c = new ServiceTestContext();
        c.Directory.Kill("c2");

        var message = await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.AllocateChunkAsync("/f"));

        Assert.Contains("needs 3 and 2 are live", message, StringComparison.Ordinal);
        Assert.Equal(0, await c.CountAsync('A'));
    }

    [Fact]
    public async Task Commit_OfAChunkNeverAllocated_IsConflict_AndChangesNothing()
    {
        var c = new ServiceTestContext();
        var content = new NewVersion(10, 1, 1, "", [new ChunkRef(424242, 10, 1, 1)]);

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, content));
    }

    [Fact]
    public async Task Commit_ConsumesItsAllocations_SoTheSameChunksCannotBeCommittedTwice()
    {
        var c = new ServiceTestContext();
        var content = await c.AllocatedContentAsync("/f", 2);

        await c.Service.CommitAsync("/f", ExpectedVersion.Any, content);

        Assert.Equal(0, await c.CountAsync('A'));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.CommitAsync("/g", ExpectedVersion.Any, content));
    }

    [Fact]
    public async Task Commit_NamingAnotherChunkVersionThanTheAllocation_IsConflict()
    {
        var c = new ServiceTestContext();
        var content = await c.AllocatedContentAsync("/f", 1);
        var stale = content with { Chunks = [content.Chunks[0] with { ChunkVersion = 2 }] };

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, stale));
    }

    [Fact]
    public async Task Commit_ListingAChunkTwice_IsInvalidArgument()
    {
        var c = new ServiceTestContext();
        var content = await c.AllocatedContentAsync("/f", 1);
        var twice = content with { Size = 20, Chunks = [content.Chunks[0], content.Chunks[0]] };

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, twice));
    }

    [Fact]
    public async Task Bump_MovesTheAllocationToTheNextVersion_WhichTheCommitMustName()
    {
        var c = new ServiceTestContext();
        var allocation = await c.Service.AllocateChunkAsync("/f");
        var survivors = allocation.Pipeline.Skip(1).ToList();

        var bumped = await c.Service.BumpChunkVersionAsync(allocation.Id, 1, survivors);

        Assert.Equal(2, bumped.Version);
        Assert.Equal(survivors, bumped.Pipeline);
        Assert.Equal(2, c.Directory.Versions[allocation.Id.Value]);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.BumpChunkVersionAsync(allocation.Id, 1, survivors));
        var atOne = new NewVersion(10, 1, 1, "", [new ChunkRef(allocation.Id.Value, 10, 1, 1)]);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, atOne));
        Assert.Equal(1, (await c.Service.CommitAsync("/f", ExpectedVersion.Any, atOne with { Chunks = [atOne.Chunks[0] with { ChunkVersion = 2 }] })).Version);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Conflict, () => c.Service.BumpChunkVersionAsync(allocation.Id, 2, survivors));
    }

    [Fact]
    public async Task BadInput_IsRefusedBeforeAnythingIsReadOrWritten()
    {
        var c = new ServiceTestContext();
        var s = c.Service;
        ChunkServerAddress[] one = [new("c1", "h", 1)];

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => s.MkdirAsync("a/b"));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => s.LookupAsync("/a/../b"));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => s.AllocateChunkAsync("//"));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.AllocateChunkAsync("/f", [""]));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.BumpChunkVersionAsync(new(1), 0, one));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.BumpChunkVersionAsync(new(1), 1, []));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.CommitAsync("/f", ExpectedVersion.Any, new NewVersion(5, 1, 1, "", [])));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.CommitAsync("/f", new ExpectedVersion(-2), new NewVersion(0, 1, 1, "", [])));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.LockAsync("/f", "", TimeSpan.FromSeconds(1), TimeSpan.Zero));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.LockAsync("/f", "o", TimeSpan.Zero, TimeSpan.Zero));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.LockAsync("/f", "o", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.UnlockAsync("/f", "o", 0));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.ListAsync("/", limit: 0));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.DrainAsync(""));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.HandleAsync(new byte[] { 99 }, null, CancellationToken.None));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => s.HandleAsync(new byte[] { 5, 200 }, null, CancellationToken.None));
        Assert.Empty(c.Directory.Versions);
    }

    [Fact]
    public async Task ChunkServers_AndDrain_GoToTheDirectory()
    {
        var c = new ServiceTestContext();

        await c.Service.DrainAsync("c2");

        Assert.True((await c.Service.ChunkServersAsync()).Servers.Single(s => s.Id == "c2").Draining);
        Assert.DoesNotContain(c.Directory.Place(2), s => s.Id == "c2");
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => c.Service.DrainAsync("c9"));
        await c.Service.DrainAsync("c2", drain: false);
        Assert.False((await c.Service.ChunkServersAsync()).Servers.Single(s => s.Id == "c2").Draining);
    }
}
