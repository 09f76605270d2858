using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>
/// Writes plan on the replica's local state and commit with compares; only what they answer without committing is read
/// linearizably. A local state that lags (a new leader that has not applied everything, changes made through another
/// leader) never lets a write skip a check: its stale plan fails its compares, and its stale refusals are read again.
/// </summary>
public sealed class MetadataLocalPlanTests
{
    private const long Ttl = 5_000;

    [Fact]
    public async Task ACommit_IsOneLocalPlanAndOneTransaction_WithNoLinearizableRead()
    {
        var (kv, store) = Create();
        await store.MkdirAsync("/d");
        await store.CommitAsync("/d/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        kv.ResetCounts();

        Assert.Equal(1, (await store.CommitAsync("/d/g", ExpectedVersion.Any, MetadataTestContext.Content(2))).Version);
        Assert.Equal(2, (await store.CommitAsync("/d/f", ExpectedVersion.Is(1), MetadataTestContext.Content(3))).Version);

        Assert.Equal((0, 2, 2, 0), (kv.LinearizableReads, kv.LocalReads, kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task AStalePlan_FailsItsCompares_AndIsPlannedAgainOnTheCaughtUpState()
    {
        var (kv, store) = await CreateWithReplicaOneVersionBehindAsync();
        kv.ResetCounts();

        var result = await store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(3));

        Assert.Equal(3, result.Version);
        Assert.Equal([3L, 2L, 1L], (await store.ListVersionsAsync("/f")).Select(v => v.Number));
        Assert.Equal((2, 1), (kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task AConflictSeenOnAStaleState_IsReadAgain_AndTheCommitGoesThrough()
    {
        var (kv, store) = await CreateWithReplicaOneVersionBehindAsync();
        kv.ResetCounts();

        // The replica still shows version 1, which this If-Match does not name; the committed state is at version 2.
        var result = await store.CommitAsync("/f", ExpectedVersion.Is(2), MetadataTestContext.Content(3));

        Assert.Equal(3, result.Version);
        Assert.Equal(1, kv.LinearizableReads);
        Assert.Equal((1, 0), (kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task AConflictOnTheLatestState_IsRefused_AndChangesNothing()
    {
        var (kv, store) = await CreateWithReplicaOneVersionBehindAsync();

        // The replica shows version 1, so the plan expecting it commits, fails its compare, and is refused on the caught-up state.
        var e = await Assert.ThrowsAsync<MetadataException>(() => store.CommitAsync("/f", ExpectedVersion.Is(1), MetadataTestContext.Content(3)));

        Assert.Equal(MetadataErrorCode.Conflict, e.Code);
        Assert.Equal([2L, 1L], (await store.ListVersionsAsync("/f")).Select(v => v.Number));
    }

    [Fact]
    public async Task ALockReleasedButStillSeenLocally_DoesNotRefuseTheCommit()
    {
        var (kv, store) = Create();
        var lease = await kv.GrantLeaseAsync(Ttl, CancellationToken.None);
        await store.TryAcquireAsync("/f", "A", lease);
        kv.Frozen = true;
        await store.ReleaseAsync("/f", "A", lease);
        kv.Frozen = false;

        var result = await store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(1), clientId: "B");

        Assert.Equal(1, result.Version);
    }

    [Fact]
    public async Task ALockTakenButNotYetSeenLocally_StillRefusesTheCommit()
    {
        var (kv, store) = Create();
        await store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        var lease = await kv.GrantLeaseAsync(Ttl, CancellationToken.None);
        kv.Frozen = true;
        await store.TryAcquireAsync("/f", "A", lease);
        kv.Frozen = false;

        var e = await Assert.ThrowsAsync<MetadataException>(() => store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(2), clientId: "B"));

        Assert.Equal(MetadataErrorCode.Locked, e.Code);
        Assert.Equal(1, (await store.StatAsync("/f")).Version);
        Assert.Equal(2, (await store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(2), clientId: "A")).Version);
    }

    [Fact]
    public async Task ANoChangeAnswerOnAStaleState_IsReadAgain()
    {
        var (kv, store) = Create();
        await store.MkdirAsync("/d");
        kv.Frozen = true;
        await store.DeleteAsync("/d");
        kv.Frozen = false;

        // The replica still shows /d, where mkdir -p would change nothing; the committed state has no /d.
        Assert.True(await store.MkdirAsync("/d", parents: true));
        Assert.Equal(EntryKind.Directory, (await store.StatAsync("/d")).Kind);
    }

    [Fact]
    public async Task TwoCommitsOnOneVersion_FromAStaleState_OneWinsAndTheOtherConflicts()
    {
        var (kv, store) = await CreateWithReplicaOneVersionBehindAsync();

        var outcomes = await Task.WhenAll(
            Outcome(store.CommitAsync("/f", ExpectedVersion.Is(2), MetadataTestContext.Content(100))),
            Outcome(store.CommitAsync("/f", ExpectedVersion.Is(2), MetadataTestContext.Content(200))));

        Assert.Single(outcomes, o => o == 3);
        Assert.Single(outcomes, o => o == -(int)MetadataErrorCode.Conflict);
        Assert.Equal([3L, 2L, 1L], (await store.ListVersionsAsync("/f")).Select(v => v.Number));
    }

    // "/f" is at version 2 in the committed state while the replica's applied state still shows version 1.
    private static async Task<(LaggingMetadataKv Kv, MetadataStore Store)> CreateWithReplicaOneVersionBehindAsync()
    {
        var (kv, store) = Create();
        await store.CommitAsync("/f", ExpectedVersion.None, MetadataTestContext.Content(1));
        kv.Frozen = true;
        await store.CommitAsync("/f", ExpectedVersion.Any, MetadataTestContext.Content(2));
        kv.Frozen = false;
        return (kv, store);
    }

    private static (LaggingMetadataKv Kv, MetadataStore Store) Create()
    {
        var kv = new LaggingMetadataKv(() => 1_000_000);
        return (kv, new MetadataStore(kv));
    }

    private static async Task<long> Outcome(Task<CommitResult> commit)
    {
        try
        {
            return (await commit).Version;
        }
        catch (MetadataException e)
        {
            return -(int)e.Code;
        }
    }
}
