using Dfs.Client.Metadata;

namespace Dfs.Raft.Tests.Metadata.Service;

public sealed class LockServiceTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Lock_OnAFreePath_IsHeldAtOnce_WithALease()
    {
        var c = new ServiceTestContext();

        var grant = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);

        Assert.True(grant.Held);
        Assert.Equal(0, grant.Position);
        Assert.True(grant.LeaseId > 0);
        Assert.Equal(new LockHolder("a", grant.LeaseId), grant.Holder);
        Assert.True(grant.ExpiresMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Lock_WithoutWait_OnAHeldPath_AnswersNotHeld_AndDoesNotQueue()
    {
        var c = new ServiceTestContext();
        var holder = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);

        var refused = await c.Service.LockAsync("/f", "b", Ttl, TimeSpan.Zero);

        Assert.False(refused.Held);
        Assert.Equal(-1, refused.Position);
        Assert.Equal(0, refused.LeaseId);
        Assert.Equal(holder.Holder, refused.Holder);
        Assert.Equal([new LockHolder("a", holder.LeaseId)], await c.Service.LockQueueAsync("/f"));
    }

    [Fact]
    public async Task Lock_ThatWaitsPastItsTimeout_LeavesTheQueue()
    {
        var c = new ServiceTestContext();
        var holder = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);

        var timedOut = await c.Service.LockAsync("/f", "b", Ttl, TimeSpan.FromMilliseconds(150));

        Assert.False(timedOut.Held);
        Assert.Equal(-1, timedOut.Position);
        Assert.Equal([new LockHolder("a", holder.LeaseId)], await c.Service.LockQueueAsync("/f"));
    }

    [Fact]
    public async Task Waiters_AreGrantedTheLockInArrivalOrder_AsEachHolderUnlocks()
    {
        var c = new ServiceTestContext();
        var a = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);
        var b = c.Service.LockAsync("/f", "b", Ttl, TimeSpan.FromSeconds(30));
        await Dfs.Testing.Eventually.WaitUntilAsync(async _ => (await c.Service.LockQueueAsync("/f")).Count == 2, TimeSpan.FromSeconds(10), () => "queue");
        var w = c.Service.LockAsync("/f", "c", Ttl, TimeSpan.FromSeconds(30));
        await Dfs.Testing.Eventually.WaitUntilAsync(async _ => (await c.Service.LockQueueAsync("/f")).Count == 3, TimeSpan.FromSeconds(10), () => "queue");
        Assert.False(b.IsCompleted);
        Assert.False(w.IsCompleted);

        await c.Service.UnlockAsync("/f", "a", a.LeaseId);
        var bGrant = await b;
        Assert.True(bGrant.Held);
        Assert.False(w.IsCompleted);
        await c.Service.UnlockAsync("/f", "b", bGrant.LeaseId);
        var cGrant = await w;

        Assert.True(cGrant.Held);
        Assert.Equal([new LockHolder("c", cGrant.LeaseId)], await c.Service.LockQueueAsync("/f"));
    }

    [Fact]
    public async Task Renew_ExtendsAHeldLease_AndRefusesAnUnknownOne()
    {
        var c = new ServiceTestContext();
        var grant = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);

        var renewed = await c.Service.RenewLockAsync("/f", "a", grant.LeaseId);

        Assert.True(renewed.Held);
        Assert.True(renewed.ExpiresMs >= grant.ExpiresMs);
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => c.Service.RenewLockAsync("/f", "a", grant.LeaseId + 1));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => c.Service.RenewLockAsync("/f", "b", grant.LeaseId));
    }

    [Fact]
    public async Task Unlock_ByWhoeverDoesNotHoldIt_IsLockNotHeld()
    {
        var c = new ServiceTestContext();
        var grant = await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => c.Service.UnlockAsync("/f", "b", grant.LeaseId));
        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.LockNotHeld, () => c.Service.UnlockAsync("/g", "a", grant.LeaseId));
    }

    [Fact]
    public async Task Commit_ByAnotherThanTheHolder_IsLocked_AndByTheHolder_Succeeds()
    {
        var c = new ServiceTestContext();
        await c.Service.LockAsync("/f", "a", Ttl, TimeSpan.Zero);
        var content = await c.AllocatedContentAsync("/f", 1);

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.Locked, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, content, "b"));
        Assert.Equal(1, (await c.Service.CommitAsync("/f", ExpectedVersion.Any, content, "a")).Version);
    }
}
