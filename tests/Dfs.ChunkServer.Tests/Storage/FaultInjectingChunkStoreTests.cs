using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Storage;

public sealed class FaultInjectingChunkStoreTests : IDisposable
{
    private readonly TestDirectory _folder = TestDirectory.Create("chunk-store");
    private readonly FileChunkStore _inner;
    private readonly FaultInjectingChunkStore _store;

    public FaultInjectingChunkStoreTests()
    {
        _inner = new FileChunkStore(new FileChunkStoreOptions { RootPath = _folder.Path });
        _store = new FaultInjectingChunkStore(_inner);
    }

    public void Dispose()
    {
        _inner.Dispose();
        _folder.Dispose();
    }

    private static byte[] Bytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    [Fact]
    public async Task FailWritesAfter_RefusesTheWriteThatCrossesTheLimitWithDiskFull()
    {
        _store.FailWritesAfter(150);
        await using var writer = _store.BeginWrite(new ChunkId(1), 1);
        await writer.WriteAsync(Bytes(100), default);

        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await writer.WriteAsync(Bytes(51), default));

        Assert.Equal(ChunkError.DiskFull, error.Error);
        Assert.Equal(100, writer.Length);
        await writer.WriteAsync(Bytes(50), default);
        Assert.Equal(150, writer.Length);
    }

    [Fact]
    public async Task CorruptReads_FlipsExactlyOneBitOfTheReturnedBytes()
    {
        var data = Bytes(1000);
        await using (var writer = _store.BeginWrite(new ChunkId(2), 1))
        {
            await writer.WriteAsync(data, default);
            await writer.CommitAsync(default);
        }
        _store.CorruptReads(1);

        var first = new byte[1000];
        await using (var reader = _store.OpenRead(new ChunkId(2), 1, 0, 1000))
        {
            Assert.Equal(1000, await reader.ReadAsync(first, default));
        }
        var second = new byte[1000];
        await using (var reader = _store.OpenRead(new ChunkId(2), 1, 0, 1000))
        {
            Assert.Equal(1000, await reader.ReadAsync(second, default));
        }

        var flippedBits = data.Zip(first, (a, b) => System.Numerics.BitOperations.PopCount((uint)(a ^ b))).Sum();
        Assert.Equal(1, flippedBits);
        Assert.Equal(data, second);
    }

    [Fact]
    public async Task FailNextOperations_ThrowsIOExceptionThatManyTimesThenWorks()
    {
        _store.FailNextOperations(2);

        Assert.IsType<IOException>(Assert.ThrowsAny<IOException>(() => _store.BeginWrite(new ChunkId(3), 1)));
        Assert.IsType<IOException>(Assert.ThrowsAny<IOException>(() => _store.BeginWrite(new ChunkId(3), 1)));
        await using var writer = _store.BeginWrite(new ChunkId(3), 1);
        await writer.WriteAsync(Bytes(10), default);
        Assert.Equal(10, (await writer.CommitAsync(default)).Length);
    }

    [Fact]
    public async Task SimulatedCrash_AbandonsWritersButKeepsFlushedBytesResumable()
    {
        var id = new ChunkId(4);
        var data = Bytes(5000);
        var writer = _store.BeginWrite(id, 1);
        await writer.WriteAsync(data.AsMemory(0, 3000), default);
        await writer.FlushAsync(default);

        await _store.SimulateCrashAsync();

        await Assert.ThrowsAsync<IOException>(async () => await writer.WriteAsync(data.AsMemory(3000), default));
        await Assert.ThrowsAsync<IOException>(async () => await writer.CommitAsync(default));
        Assert.Empty(_store.List());
        await using (var resumed = _store.ResumeWrite(id, 2, 3000))
        {
            await resumed.WriteAsync(data.AsMemory(3000), default);
            await resumed.CommitAsync(default);
        }
        await using var reader = _store.OpenRead(id, 2, 0, 5000);
        var read = new byte[5000];
        Assert.Equal(5000, await reader.ReadAsync(read, default));
        Assert.Equal(data, read);
        await writer.DisposeAsync();
    }

    [Fact]
    public async Task CorruptionEvents_OfTheInnerStoreReachSubscribersOfTheDecorator()
    {
        var id = new ChunkId(5);
        await using (var writer = _store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(Bytes(100), default);
            await writer.CommitAsync(default);
        }
        var reported = new List<ChunkId>();
        _store.ReplicaCorrupted += (_, e) => reported.Add(e.Chunk.Id);
        var path = Path.Combine(_folder.Path, "chunks", $"{id}.1.data");
        var bytes = File.ReadAllBytes(path);
        bytes[50] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.False(await _store.VerifyAsync(id, default));

        Assert.Equal([id], reported);
    }
}
