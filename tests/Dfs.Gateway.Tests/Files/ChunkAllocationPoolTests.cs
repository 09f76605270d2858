using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;
using Dfs.Gateway.Tests.Fakes;
using Dfs.Testing;

namespace Dfs.Gateway.Tests.Files;

/// <summary>
/// <see cref="ChunkAllocationPool"/> on a fake clock: batches follow demand, an allocation is never handed out past its age or
/// twice, callers that find the pool empty share one request, and a refusal reaches its waiters without wedging the pool.
/// </summary>
public sealed class ChunkAllocationPoolTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private static readonly ChunkServerAddress[] Servers = [new("c1", "127.0.0.1", 1), new("c2", "127.0.0.1", 2), new("c3", "127.0.0.1", 3)];

    [Fact]
    public async Task AWriterThatWritesNowAndThen_DrawsOneAllocationPerWrite_AndLeavesNoneBehind()
    {
        var (metadata, time, pool) = Create();

        for (var i = 0; i < 5; i++)
        {
            await pool.TakeAsync("/f", CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal([1, 1, 1, 1, 1], metadata.AllocationBatches);
        Assert.Equal((5, 0L), (metadata.Allocations, pool.Expired));
    }

    [Fact]
    public async Task ASteadyWriter_DrawsInBatches_AndEveryAllocationIsHandedOutOnce()
    {
        var (metadata, time, pool) = Create();
        var taken = new List<ChunkAllocation>();

        // 400 writes a second for two seconds.
        for (var i = 0; i < 800; i++)
        {
            taken.Add(await pool.TakeAsync($"/f{i}", CancellationToken.None));
            time.Advance(TimeSpan.FromMilliseconds(2.5));
        }

        Assert.Equal(800, taken.Select(a => a.Id).Distinct().Count());
        Assert.InRange(metadata.AllocationBatches.Count, 13, 40);
        Assert.Equal(ChunkAllocation.MaxPerRequest, metadata.AllocationBatches.Max());
        Assert.InRange(metadata.Allocations - taken.Count, 0, ChunkAllocation.MaxPerRequest);
        Assert.Equal(0, pool.Expired);
    }

    [Fact]
    public async Task AnAllocationOlderThanTheMaxAge_IsNeverHandedOut()
    {
        var (metadata, time, pool) = Create();
        for (var i = 0; i < 40; i++)
        {
            await pool.TakeAsync("/f", CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
        var drawn = metadata.Allocations;
        var leftOver = drawn - 40;
        Assert.True(leftOver > 0, $"the steady writes left no allocation in the pool ({string.Join(",", metadata.AllocationBatches)})");

        time.Advance(MaxAge);
        var next = await pool.TakeAsync("/f", CancellationToken.None);

        Assert.Equal(leftOver, pool.Expired);
        Assert.Equal(drawn + 1, metadata.Allocations);
        Assert.Equal(0x1000UL + (ulong)drawn, next.Id.Value);
    }

    [Fact]
    public async Task CallersThatFindThePoolEmpty_WaitForOneRequest_AndShareTheNext()
    {
        var (metadata, _, pool) = Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        metadata.BeforeAllocationBatch = _ => release.Task;

        var first = pool.TakeAsync("/f", CancellationToken.None);
        await Eventually.WaitUntilAsync(() => metadata.AllocationBatches.Count == 1, TimeSpan.FromSeconds(10), () => "no request", "the first request");
        var others = Enumerable.Range(0, 9).Select(i => pool.TakeAsync($"/g{i}", CancellationToken.None)).ToArray();
        release.SetResult();
        var all = await Task.WhenAll([first, .. others]);

        Assert.Equal(10, all.Select(a => a.Id).Distinct().Count());
        Assert.Equal([1, 10], metadata.AllocationBatches);
    }

    [Fact]
    public async Task ARefusedBatch_FailsItsWaitersWithTheMastersError_AndTheNextTakeAsksAgain()
    {
        var (metadata, _, pool) = Create();
        metadata.BeforeAllocationBatch = _ => Task.FromException(new MetadataException(MetadataErrorCode.InvalidArgument, "Not enough chunk servers."));

        var e = await Assert.ThrowsAsync<MetadataException>(() => pool.TakeAsync("/f", CancellationToken.None));
        metadata.BeforeAllocationBatch = null;
        var allocation = await pool.TakeAsync("/f", CancellationToken.None);

        Assert.Equal(MetadataErrorCode.InvalidArgument, e.Code);
        Assert.Equal(3, allocation.Pipeline.Count);
        Assert.Equal(2, metadata.AllocationBatches.Count);
    }

    [Fact]
    public async Task AMalformedPath_IsRefusedWithoutARequest()
    {
        var (metadata, _, pool) = Create();

        var e = await Assert.ThrowsAsync<MetadataException>(() => pool.TakeAsync("a/../b", CancellationToken.None));

        Assert.Equal(MetadataErrorCode.InvalidPath, e.Code);
        Assert.Empty(metadata.AllocationBatches);
    }

    [Fact]
    public async Task AWaiterThatIsCancelled_LeavesTheBatchToTheOthers()
    {
        var (metadata, _, pool) = Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        metadata.BeforeAllocationBatch = _ => release.Task;
        using var cancel = new CancellationTokenSource();

        var cancelled = pool.TakeAsync("/f", cancel.Token);
        var other = pool.TakeAsync("/g", CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.SetResult();

        Assert.Equal(3, (await other).Pipeline.Count);
    }

    [Fact]
    public async Task ABatchLimitOfOne_AsksForEachAllocationAlone()
    {
        var metadata = new InMemoryMetadataService(Servers);
        var time = new FakeTimeProvider();
        var pool = new ChunkAllocationPool(metadata, 1, MaxAge, time);

        for (var i = 0; i < 20; i++)
        {
            await pool.TakeAsync("/f", CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(Enumerable.Repeat(1, 20), metadata.AllocationBatches);
    }

    private static (InMemoryMetadataService Metadata, FakeTimeProvider Time, ChunkAllocationPool Pool) Create()
    {
        var metadata = new InMemoryMetadataService(Servers);
        var time = new FakeTimeProvider();
        return (metadata, time, new ChunkAllocationPool(metadata, ChunkAllocation.MaxPerRequest, MaxAge, time));
    }
}
