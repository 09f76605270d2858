using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Tests.Storage;

public sealed class InMemoryChunkStoreTests : ChunkStoreContractTests
{
    protected override IChunkStore CreateStore(long capacityBytes = 0) => new InMemoryChunkStore(capacityBytes);

    [Fact]
    public async Task CorruptedBlock_IsNotServedAndReplicaIsQuarantinedAndReported()
    {
        var store = new InMemoryChunkStore();
        var reported = new List<ReplicaCorruptedEventArgs>();
        store.ReplicaCorrupted += (_, e) => reported.Add(e);
        var data = Bytes(3 * Block, 1);
        var info = await WriteChunkAsync(store, new ChunkId(1), 1, data, split: Block);
        store.CorruptStoredByte(new ChunkId(1), Block + 5);

        await using var reader = store.OpenRead(new ChunkId(1), 1, 0, data.Length);
        var buffer = new byte[3 * Block];
        Assert.Equal(Block, await reader.ReadAsync(buffer.AsMemory(0, Block), default));
        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await reader.ReadAsync(buffer.AsMemory(Block), default));

        Assert.Equal(ChunkError.Corrupt, error.Error);
        Assert.All(buffer.AsSpan(Block).ToArray(), b => Assert.Equal(0, b));
        Assert.Null(store.TryGet(new ChunkId(1)));
        Assert.Equal(info, Assert.Single(reported).Chunk);
    }
}
