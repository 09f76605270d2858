using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

public sealed class MetadataLockTests
{
    private const long Ttl = 5_000;

    [Fact]
    public async Task ThreeWaiters_HoldTheLockInArrivalOrder()
    {
        var ctx = new MetadataTestContext();
        var (a, b, c) = (await Lease(ctx), await Lease(ctx), await Lease(ctx));
        Assert.Equal(new LockStatus(true, 0, new LockHolder("A", a)), await ctx.Store.TryAcquireAsync("/f", "A", a));
        Assert.Equal(new LockStatus(false, 1, new LockHolder("A", a)), await ctx.Store.TryAcquireAsync("/f", "B", b));
        Assert.Equal(new LockStatus(false, 2, new LockHolder("A", a)), await ctx.Store.TryAcquireAsync("/f", "C", c));
        Assert.Equal(["A", "B", "C"], (await ctx.Store.QueueAsync("/f")).Select(h => h.ClientId));

        await ctx.Store.ReleaseAsync("/f", "A", a);
        Assert.True(await ctx.Store.IsHeldByAsync("/f", "B"));
        Assert.True((await ctx.Store.TryAcquireAsync("/f", "B", b)).Held);
        await ctx.Store.ReleaseAsync("/f", "B", b);
        Assert.Equal(new LockHolder("C", c), await ctx.Store.HolderAsync("/f"));
        await ctx.Store.ReleaseAsync("/f", "C", c);
        Assert.Null(await ctx.Store.HolderAsync("/f"));
        Assert.Equal(0, await ctx.CountAsync('Q'));
        Assert.Equal(0, await ctx.CountAsync('W'));
    }

    [Fact]
    public async Task TryAcquire_WithoutQueueing_ReturnsAtOnceWhenHeld()
    {
        var ctx = new MetadataTestContext();
        var (a, b) = (await Lease(ctx), await Lease(ctx));
        await ctx.Store.TryAcquireAsync("/f", "A", a);
        var before = await ctx.DumpAsync();
        Assert.Equal(new LockStatus(false, -1, new LockHolder("A", a)), await ctx.Store.TryAcquireAsync("/f", "B", b, enqueue: false));
        Assert.Equal(before, await ctx.DumpAsync());
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => ctx.Store.ReleaseAsync("/f", "B", b));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => ctx.Store.ReleaseAsync("/f", "Z", a));
    }

    [Fact]
    public async Task Commit_OnAPathLockedByAnother_IsRefused_AndTheHolderCommits()
    {
        var ctx = new MetadataTestContext();
        var (a, b) = (await Lease(ctx), await Lease(ctx));
        await ctx.Store.TryAcquireAsync("/f", "A", a);
        await ctx.Store.TryAcquireAsync("/f", "B", b);
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1), "B"));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1)));
        Assert.Equal(1, (await ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1), "A")).Version);
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => ctx.Store.DeleteAsync("/f", clientId: "B"));
        await ctx.Store.CommitAsync("/other", ExpectedVersion.None, MetadataTestContext.Content(2), "B");

        await ctx.Store.ReleaseAsync("/f", "A", a);
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(3), "A"));
        Assert.Equal(2, (await ctx.Store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(3), "B")).Version);
        await ctx.Store.ReleaseAsync("/f", "B", b);
        Assert.Equal(3, (await ctx.Store.CommitAsync("/f", ExpectedVersion.Is(2), MetadataTestContext.Content(4))).Version);
    }

    [Fact]
    public async Task SilentHolder_LosesTheLockWhenItsLeaseExpiresByLogTime()
    {
        var ctx = new MetadataTestContext();
        var (a, b) = (await Lease(ctx), await Lease(ctx));
        await ctx.Store.TryAcquireAsync("/f", "A", a);
        await ctx.Store.TryAcquireAsync("/f", "B", b);

        // B keeps its lease alive past A's expiry; nothing happens until an entry carries the later time.
        ctx.NowMs += Ttl - 1;
        Assert.True(await ctx.Kv.KeepAliveAsync(b, CancellationToken.None));
        Assert.True(await ctx.Store.IsHeldByAsync("/f", "A"));
        ctx.NowMs += 2;
        Assert.True(await ctx.Kv.KeepAliveAsync(b, CancellationToken.None));
        Assert.True(await ctx.Store.IsHeldByAsync("/f", "B"));
        Assert.False(await ctx.Kv.KeepAliveAsync(a, CancellationToken.None));
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1), "A"));
        Assert.Equal(1, (await ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1), "B")).Version);
        await ctx.AssertRefusedUnchangedAsync(MetadataErrorCode.LeaseNotFound, () => ctx.Store.TryAcquireAsync("/f", "A", a));
    }

    [Fact]
    public async Task HolderWhoseLeaseExpiresBeforeItsCommitApplies_IsRefused()
    {
        var ctx = new MetadataTestContext();
        var (a, b) = (await Lease(ctx), await Lease(ctx));
        await ctx.Store.TryAcquireAsync("/f", "A", a);
        await ctx.Store.TryAcquireAsync("/f", "B", b, enqueue: true);
        ctx.NowMs += 3_000;
        await ctx.Kv.KeepAliveAsync(b, CancellationToken.None);
        // A reads itself as holder, but the commit's entry is stamped after A's expiry: the store expires A first, so
        // the compare on A's key fails, and the retry finds B at the head.
        ctx.NowMs += 3_000;
        Assert.Equal(MetadataErrorCode.Locked, await ctx.RefusedAsync(() => ctx.Store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1), "A")));
        Assert.Null(await ctx.Store.LookupAsync("/f"));
        Assert.True(await ctx.Store.IsHeldByAsync("/f", "B"));
    }

    [Fact]
    public async Task RevokedLease_HandsTheLockToTheNextWaiter()
    {
        var ctx = new MetadataTestContext();
        var (a, b) = (await Lease(ctx), await Lease(ctx));
        await ctx.Store.TryAcquireAsync("/f", "A", a);
        await ctx.Store.TryAcquireAsync("/f", "B", b);
        Assert.True(await ctx.Kv.RevokeLeaseAsync(a, CancellationToken.None));
        Assert.Equal(new LockHolder("B", b), await ctx.Store.HolderAsync("/f"));
    }

    [Fact]
    public async Task AcquireRacingACommit_EitherTheCommitLandsFirstOrItIsRefused()
    {
        var ctx = new MetadataTestContext();
        var a = await Lease(ctx);
        await ctx.Store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        ctx.Kv.HoldUntil(2);
        var commit = ctx.Store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(2), "B");
        var acquire = ctx.Store.TryAcquireAsync("/f", "A", a);
        Assert.True((await acquire).Held);
        try
        {
            await commit;
            Assert.Equal(2, (await ctx.Store.StatAsync("/f")).Version);
        }
        catch (MetadataException e)
        {
            Assert.Equal(MetadataErrorCode.Locked, e.Code);
            Assert.Equal(1, (await ctx.Store.StatAsync("/f")).Version);
        }
    }

    private static Task<long> Lease(MetadataTestContext ctx) => ctx.Kv.GrantLeaseAsync(Ttl, CancellationToken.None);
}
