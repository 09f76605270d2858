using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;
using Dfs.Common.Hashing;
using Dfs.Raft.Master;
using Dfs.Raft.Metadata.Service;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>
/// What a small file's commit costs the leader, as the gateway sends it (a Commit request with a client id and sequence):
/// one transaction and no linearizable read; and its exactly-once promise when the leader's applied state lags.
/// </summary>
public sealed class InlineCommitCostTests
{
    private static readonly Guid Client = Guid.NewGuid();

    [Fact]
    public async Task AnInlineCommit_IsOneTransaction_WithNoLinearizableRead()
    {
        var (kv, service) = Create();
        await service.MkdirAsync("/d");
        kv.ResetCounts();

        var created = MetadataResultCodec.DecodeCommit(await SendAsync(service, Commit("/d/f", 1), sequence: 1));
        var replaced = MetadataResultCodec.DecodeCommit(await SendAsync(service, Commit("/d/f", 2), sequence: 2));

        Assert.Equal((1L, 2L), (created.Version, replaced.Version));
        Assert.Equal((0, 2, 0), (kv.LinearizableReads, kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task AChunkAllocation_IsOneTransaction_WithNoLinearizableRead_OnceTheIdBlockIsTaken()
    {
        var (kv, service) = Create();
        var allocate = new MetadataRequest(MetadataOp.AllocateChunk) { Path = "/d/f", Exclude = [] };
        await SendAsync(service, allocate, sequence: 1);
        kv.ResetCounts();

        var second = MetadataResultCodec.DecodeAllocation(await SendAsync(service, allocate, sequence: 2));

        Assert.Equal(3, second.Pipeline.Count);
        Assert.Equal((0, 1, 0), (kv.LinearizableReads, kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task ABatchOfAllocations_IsOneTransaction_WhateverItsSize()
    {
        var (kv, service) = Create();
        await SendAsync(service, new MetadataRequest(MetadataOp.AllocateChunk) { Path = "/d/f", Exclude = [] }, sequence: 1);
        kv.ResetCounts();

        var batch = MetadataResultCodec.DecodeAllocations(
            await SendAsync(service, new MetadataRequest(MetadataOp.AllocateChunks) { Path = "/d/f", Count = ChunkAllocation.MaxPerRequest }, sequence: 2));

        Assert.Equal(ChunkAllocation.MaxPerRequest, batch.Select(a => a.Id).Distinct().Count());
        Assert.Equal((0, 1, 0), (kv.LinearizableReads, kv.Transactions, kv.FailedTransactions));
    }

    [Fact]
    public async Task AnAllocationRetry_WhoseFirstCopyTheLeaderHasNotApplied_AnswersTheSameChunk()
    {
        var (kv, service) = Create();
        var allocate = new MetadataRequest(MetadataOp.AllocateChunk) { Path = "/d/f", Exclude = [] };
        kv.Frozen = true;
        var first = MetadataResultCodec.DecodeAllocation(await SendAsync(service, allocate, sequence: 9));
        kv.Frozen = false;

        var again = MetadataResultCodec.DecodeAllocation(await SendAsync(service, allocate, sequence: 9));

        Assert.Equal(first.Id, again.Id);
    }

    [Fact]
    public async Task ARetry_WhoseFirstCopyTheLeaderHasNotApplied_AnswersTheFirstAnswer_AndCommitsNothingMore()
    {
        var (kv, service) = Create();
        await service.MkdirAsync("/d");
        var request = Commit("/d/f", 1);
        kv.Frozen = true;
        var first = await SendAsync(service, request, sequence: 5);
        kv.Frozen = false;

        // The replica has not applied the first copy, so the retry's plan misses its record; the record's compare refuses
        // the retry's transaction, and the caught-up state answers the recorded result.
        var again = await SendAsync(service, request, sequence: 5);

        Assert.Equal(first, again);
        Assert.Equal([1L], (await service.ListVersionsAsync("/d/f")).Select(v => v.Number));
    }

    private static (LaggingMetadataKv Kv, FileSystemService Service) Create()
    {
        var kv = new LaggingMetadataKv(() => 1_000_000);
        return (kv, new FileSystemService(kv, new FakeChunkServerDirectory(), AlwaysLeader.Instance,
            new FileSystemServiceOptions { ReplicationFactor = 3, VersionsKept = 3 }));
    }

    private static MetadataRequest Commit(string path, byte fill)
    {
        var bytes = Enumerable.Repeat(fill, 4096).ToArray();
        var content = new NewVersion(bytes.Length, Crc32C.Compute(bytes), 1_700_000_000_000, "application/octet-stream", [], bytes);
        return new MetadataRequest(MetadataOp.Commit) { Path = path, Expected = ExpectedVersion.Any.Number, Content = content };
    }

    private static Task<byte[]> SendAsync(FileSystemService service, MetadataRequest request, long sequence) =>
        service.HandleAsync(MetadataRequestCodec.Encode(request), new ClientRequest(Client, sequence, 1), CancellationToken.None);
}
