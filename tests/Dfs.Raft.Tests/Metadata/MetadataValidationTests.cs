using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

public sealed class MetadataValidationTests
{
    public static TheoryData<string> BadPaths() =>
    [
        "",
        "relative/path",
        "/a//b",
        "/a/",
        "/a/./b",
        "/a/../b",
        "/.",
        "/a\0b",
        "/" + new string('n', 256),
        "/" + string.Join('/', Enumerable.Repeat(new string('x', 200), 21)),
        "/" + string.Join('/', Enumerable.Repeat("x", 257)),
    ];

    [Fact]
    public async Task APathWithALoneSurrogate_IsRefused_AndChangesNothing()
    {
        // Kept out of the theory: test-case serialisation would repair the lone surrogate.
        var ctx = new MetadataTestContext();
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => ctx.Store.MkdirAsync("/bad\uD800surrogate"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => ctx.Store.CommitAsync("/x\uDC00", ExpectedVersion.Any, MetadataTestContext.Content(1)));
    }

    [Theory]
    [MemberData(nameof(BadPaths))]
    public async Task EveryOperation_RefusesABadPath_AndChangesNothing(string path)
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/a/b", parents: true);
        await ctx.Store.CommitAsync("/a/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        var lease = await ctx.Kv.GrantLeaseAsync(10_000, CancellationToken.None);
        Func<Task>[] operations =
        [
            () => ctx.Store.MkdirAsync(path, parents: true),
            () => ctx.Store.StatAsync(path),
            () => ctx.Store.LookupAsync(path),
            () => ctx.Store.ListAsync(path),
            () => ctx.Store.CommitAsync(path, ExpectedVersion.Any, MetadataTestContext.Content(2)),
            () => ctx.Store.RenameAsync(path, "/a/z"),
            () => ctx.Store.RenameAsync("/a/f", path, replace: true),
            () => ctx.Store.DeleteAsync(path, recursive: true),
            () => ctx.Store.GetVersionAsync(path),
            () => ctx.Store.TryAcquireAsync(path, "c", lease),
            () => ctx.Store.ReleaseAsync(path, "c", lease),
        ];
        foreach (var operation in operations)
        {
            await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, operation);
        }
    }

    [Fact]
    public async Task LimitsOnNamesAndPaths_AcceptTheLargestValidValues()
    {
        var ctx = new MetadataTestContext();
        var longName = "/" + new string('n', 255);
        await ctx.Store.MkdirAsync(longName);
        var deep = "/" + string.Join('/', Enumerable.Repeat("x", 256));
        Assert.True(await ctx.Store.MkdirAsync(deep, parents: true));
        var multiByte = "/" + string.Concat(Enumerable.Repeat("é", 127));
        await ctx.Store.CommitAsync(multiByte, ExpectedVersion.None, MetadataTestContext.Content(1));
        Assert.Equal(EntryKind.File, (await ctx.Store.StatAsync(multiByte)).Kind);
    }

    [Fact]
    public async Task BadArguments_AreRefusedBeforeAnythingChanges()
    {
        var ctx = new MetadataTestContext();
        await ctx.Store.MkdirAsync("/d");
        var sizeMismatch = MetadataTestContext.Content(1) with { Size = 11 };
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => ctx.Store.CommitAsync("/d/f", ExpectedVersion.Any, sizeMismatch));
        var longType = MetadataTestContext.Content(1) with { ContentType = new string('t', 256) };
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => ctx.Store.CommitAsync("/d/f", ExpectedVersion.Any, longType));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => ctx.Store.ListAsync("/d", null, 0));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidPath, () => ctx.Store.ListAsync("/d", "a/b"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.IsADirectory, () => ctx.Store.CommitAsync("/d", ExpectedVersion.Any, MetadataTestContext.Content(1)));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.IsADirectory, () => ctx.Store.CommitAsync("/", ExpectedVersion.Any, MetadataTestContext.Content(1)));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.NotFound, () => ctx.Store.CommitAsync("/missing/f", ExpectedVersion.Any, MetadataTestContext.Content(1)));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => ctx.Store.TryAcquireAsync("/d", "", 1));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.LeaseNotFound, () => ctx.Store.TryAcquireAsync("/d", "c", 424242));
    }
}
