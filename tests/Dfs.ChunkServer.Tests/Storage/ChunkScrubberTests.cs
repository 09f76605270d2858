using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Storage;

public sealed class ChunkScrubberTests : IDisposable
{
    private const int Block = 64 * 1024;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private readonly TestDirectory _folder = TestDirectory.Create("chunk-store");
    private readonly FileChunkStore _store;
    private readonly FakeTimeProvider _time = new();

    public ChunkScrubberTests()
    {
        _store = new FileChunkStore(new FileChunkStoreOptions { RootPath = _folder.Path });
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private async Task<ChunkInfo> WriteAsync(ulong id, int length)
    {
        var data = new byte[length];
        new Random((int)id).NextBytes(data);
        await using var writer = _store.BeginWrite(new ChunkId(id), 1);
        await writer.WriteAsync(data, default);
        return await writer.CommitAsync(default);
    }

    private void FlipBitOnDisk(ChunkInfo chunk, long offset)
    {
        var path = Path.Combine(_folder.Path, "chunks", $"{chunk.Id}.{chunk.Version}.data");
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x80));
    }

    [Fact]
    public async Task Pass_FindsCorruptReplica_QuarantinesAndReportsIt()
    {
        await WriteAsync(1, Block);
        var bad = await WriteAsync(2, (2 * Block) + 5);
        await WriteAsync(3, 17);
        FlipBitOnDisk(bad, (2 * Block) + 1);
        var reported = new List<ChunkInfo>();
        _store.ReplicaCorrupted += (_, e) => reported.Add(e.Chunk);
        var scrubber = new ChunkScrubber(_store, new ChunkScrubberOptions { BytesPerSecond = 1L << 40, BurstBytes = 1L << 40 }, _time);

        var result = await scrubber.RunPassAsync(default);

        Assert.Equal(new ScrubPassResult(3, Block + (2 * Block) + 5 + 17, 1), result);
        Assert.Equal([bad], reported);
        Assert.Equal([new ChunkId(1), new ChunkId(3)], _store.List().Select(c => c.Id));
    }

    [Fact]
    public async Task Pass_IsPacedToTheConfiguredRateOnTheClock()
    {
        await WriteAsync(1, Block);
        await WriteAsync(2, Block);
        await WriteAsync(3, Block);
        var scrubber = new ChunkScrubber(_store, new ChunkScrubberOptions { BytesPerSecond = Block, BurstBytes = Block }, _time);

        var pass = scrubber.RunPassAsync(default);

        // The burst covers the first replica; each further one waits a second of clock time.
        await Eventually.WaitUntilAsync(() => scrubber.ReplicasVerified == 1 && _time.ArmedTimerCount == 1, WaitLimit,
            () => $"verified {scrubber.ReplicasVerified}, armed timers {_time.ArmedTimerCount}");
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, scrubber.ReplicasVerified);
        Assert.False(pass.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitUntilAsync(() => scrubber.ReplicasVerified == 2 && _time.ArmedTimerCount == 1, WaitLimit,
            () => $"verified {scrubber.ReplicasVerified}, armed timers {_time.ArmedTimerCount}");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new ScrubPassResult(3, 3 * Block, 0), await pass.WaitAsync(WaitLimit));
        Assert.Equal(3, _store.List().Count);
    }

    [Fact]
    public async Task HostedScrubber_StartsAfterInitialDelayAndRepeatsEachInterval()
    {
        await WriteAsync(1, 10);
        var options = new ChunkScrubberOptions
        {
            BytesPerSecond = 1L << 30,
            InitialDelay = TimeSpan.FromMinutes(1),
            PassInterval = TimeSpan.FromHours(1),
        };
        using var scrubber = new ChunkScrubber(_store, options, _time);

        await scrubber.StartAsync(default);
        // ExecuteAsync runs on the thread pool: advance the clock only once its first delay is armed.
        await Eventually.WaitUntilAsync(() => _time.ArmedTimerCount == 1, WaitLimit, () => $"armed timers {_time.ArmedTimerCount}");
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, scrubber.ReplicasVerified);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitUntilAsync(() => scrubber.ReplicasVerified == 1, WaitLimit, () => $"verified {scrubber.ReplicasVerified}");
        await Eventually.WaitUntilAsync(() => _time.ArmedTimerCount == 1, WaitLimit, () => $"armed timers {_time.ArmedTimerCount}");
        _time.Advance(TimeSpan.FromHours(1));
        await Eventually.WaitUntilAsync(() => scrubber.ReplicasVerified == 2, WaitLimit, () => $"verified {scrubber.ReplicasVerified}");
        await scrubber.StopAsync(default);

        Assert.Equal(2, scrubber.ReplicasVerified);
        Assert.Equal(0, scrubber.CorruptFound);
    }
}
