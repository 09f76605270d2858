using System.IO.Pipelines;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>Short-circuit local reads: a replica on this machine read from its file, each block checked against the server's checksums.</summary>
public sealed class LocalReadTests : IAsyncLifetime
{
    private const int Block = 64 * 1024;
    private readonly TestDirectory _folder = TestDirectory.Create("local-read");
    private readonly List<FileChunkStore> _stores = [];
    private ChunkCluster? _cluster;

    private ChunkCluster Cluster => _cluster!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        _folder.Dispose();
    }

    private async Task StartAsync(int servers, ChunkServerOptions? options = null)
    {
        _stores.AddRange(Enumerable.Range(1, servers).Select(i => new FileChunkStore(new FileChunkStoreOptions { RootPath = _folder.Combine($"c{i}") })));
        _cluster = await ChunkCluster.StartAsync(_stores, options);
    }

    private async Task<byte[]> WriteAsync(ChunkId id, int size, int seed)
    {
        var data = TestData.Bytes(size, seed);
        await new ChunkWriteClient().WriteAsync(id, 1, Cluster.Endpoints, new MemoryStream(data), CancellationToken.None);
        return data;
    }

    private static async Task<byte[]> ReadAsync(ChunkReadClient client, ChunkId id, long offset, long length, params ChunkEndpoint[] replicas)
    {
        using var destination = new MemoryStream();
        await client.ReadAsync(id, 1, offset, length, replicas, destination, CancellationToken.None);
        return destination.ToArray();
    }

    /// <summary>Reads into a pipe that never pushes back; returns what was committed to it, what the read reported delivered, and its error.</summary>
    private static async Task<(byte[] Bytes, long Delivered, ChunkServerException? Error)> ReadIntoPipeAsync(ChunkReadClient client, ChunkId id,
        long offset, long length, params ChunkEndpoint[] replicas)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        long delivered = 0;
        ChunkServerException? error = null;
        try
        {
            await client.ReadAsync(id, 1, offset, length, replicas, pipe.Writer, count => delivered += count, CancellationToken.None);
        }
        catch (ChunkServerException e)
        {
            error = e;
        }
        // Completing drops whatever the read wrote into the pipe's memory without committing it.
        await pipe.Writer.CompleteAsync();
        using var bytes = new MemoryStream();
        await pipe.Reader.CopyToAsync(bytes);
        return (bytes.ToArray(), delivered, error);
    }

    private string DataFile(int server, ChunkId id) => Path.Combine(_stores[server].RootPath, "chunks", $"{id}.1.data");

    private static void FlipBit(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x10));
        file.Flush(flushToDisk: true);
    }

    [Theory]
    [InlineData(0, 0, -1)]
    [InlineData(1, 0, -1)]
    [InlineData(Block - 1, 0, -1)]
    [InlineData(Block + 1, 0, -1)]
    [InlineData(5 * Block + 3, 0, -1)]
    [InlineData(5 * Block + 3, Block - 1, 2)]
    [InlineData(5 * Block + 3, 3, (3 * Block) + 7)]
    [InlineData(5 * Block + 3, 5 * Block, 3)]
    [InlineData(5 * Block + 3, 5 * Block + 3, 0)]
    public async Task LocalRead_OfAnyRange_DeliversTheRangeFromTheFile_WithoutTheServerSendingIt(int size, long offset, long length)
    {
        await StartAsync(1);
        var id = new ChunkId(0x10C);
        var data = await WriteAsync(id, size, seed: size);
        // Two blocks per system call, so ranges cross the client's buffer boundaries too.
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = 2 * Block });

        var read = await ReadAsync(client, id, offset, length, Cluster.Endpoints[0]);

        var expected = data.AsSpan((int)offset, length < 0 ? size - (int)offset : (int)length).ToArray();
        Assert.Equal(expected, read);
        Assert.Equal(expected.Length, client.LocalBytesRead);
        Assert.Equal(expected.Length, client.BytesRead);
    }

    [Theory]
    [InlineData(0, 0, -1)]
    [InlineData(1, 0, -1)]
    [InlineData(Block + 1, 0, -1)]
    [InlineData(5 * Block + 3, 0, -1)]
    [InlineData(5 * Block + 3, Block - 1, 2)]
    [InlineData(5 * Block + 3, 3, (3 * Block) + 7)]
    [InlineData(5 * Block + 3, (2 * Block) + 5, -1)]
    [InlineData(5 * Block + 3, 5 * Block, 3)]
    [InlineData(5 * Block + 3, 5 * Block + 3, 0)]
    public async Task LocalRead_IntoAPipe_OfAnyRange_CommitsExactlyTheRange_ReadInPlaceFromTheFile(int size, long offset, long length)
    {
        await StartAsync(1);
        var id = new ChunkId(0x115);
        var data = await WriteAsync(id, size, seed: size);
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = 2 * Block });

        var (read, delivered, error) = await ReadIntoPipeAsync(client, id, offset, length, Cluster.Endpoints[0]);

        var expected = data.AsSpan((int)offset, length < 0 ? size - (int)offset : (int)length).ToArray();
        Assert.Null(error);
        Assert.Equal(expected, read);
        Assert.Equal(expected.Length, delivered);
        Assert.Equal(expected.Length, client.LocalBytesRead);
    }

    [Fact]
    public async Task LocalRead_IntoAPipe_OfAFlippedBit_CommitsOnlyTheGoodBlocks_ThenTheNextReplicaServesTheRest()
    {
        await StartAsync(2);
        var id = new ChunkId(0x116);
        var data = await WriteAsync(id, 6 * Block, seed: 11);
        FlipBit(DataFile(0, id), (3 * Block) + 100);
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = 2 * Block });

        var (read, delivered, error) = await ReadIntoPipeAsync(client, id, 10, -1, Cluster.Endpoints[0], Cluster.Endpoints[1]);

        Assert.Null(error);
        Assert.Equal(data[10..], read);
        Assert.Equal(data.Length - 10, delivered);
        Assert.Null(_stores[0].TryGet(id));
    }

    [Fact]
    public async Task LocalRead_IntoAPipe_OfTheOnlyReplica_WithAFlippedBit_FailsCorrupt_AfterCommittingOnlyTheBlocksBeforeIt()
    {
        await StartAsync(1);
        var id = new ChunkId(0x117);
        var data = await WriteAsync(id, 6 * Block, seed: 12);
        // The bad block is the second of a two-block piece: the piece's first block is committed, the second never.
        FlipBit(DataFile(0, id), (3 * Block) + 5);
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = 2 * Block });

        var (read, delivered, error) = await ReadIntoPipeAsync(client, id, 0, -1, Cluster.Endpoints[0]);

        Assert.Equal(ChunkErrorCode.Corrupt, error?.Code);
        Assert.Equal(data.AsSpan(0, 3 * Block).ToArray(), read);
        Assert.Equal(3 * Block, delivered);
    }

    [Fact]
    public async Task LocalRead_OfAFlippedBit_DeliversTheGoodBlocksLocally_ThenTheServerQuarantinesTheReplica_AndTheNextReplicaServesTheRest()
    {
        await StartAsync(2);
        var id = new ChunkId(0x10D);
        var data = await WriteAsync(id, 6 * Block, seed: 3);
        var reported = new List<ReplicaCorruptedEventArgs>();
        _stores[0].ReplicaCorrupted += (_, e) => reported.Add(e);
        FlipBit(DataFile(0, id), (3 * Block) + 100);
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = Block });

        var read = await ReadAsync(client, id, 0, -1, Cluster.Endpoints[0], Cluster.Endpoints[1]);

        Assert.Equal(data, read);
        // Blocks 0–2 of the first replica and 3–5 of the second, all from their files.
        Assert.Equal(data.Length, client.LocalBytesRead);
        Assert.Null(_stores[0].TryGet(id));
        Assert.Equal(id, Assert.Single(reported).Chunk.Id);
    }

    [Fact]
    public async Task LocalRead_OfTheOnlyReplica_WithAFlippedBit_FailsCorrupt_AfterDeliveringOnlyTheBlocksBeforeIt()
    {
        await StartAsync(1);
        var id = new ChunkId(0x10E);
        var data = await WriteAsync(id, 6 * Block, seed: 4);
        FlipBit(DataFile(0, id), (2 * Block) + 5);
        var client = new ChunkReadClient();
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            client.ReadAsync(id, 1, 0, -1, [Cluster.Endpoints[0]], destination, CancellationToken.None));

        Assert.Equal(ChunkErrorCode.Corrupt, error.Code);
        Assert.Equal(data.AsSpan(0, 2 * Block).ToArray(), destination.ToArray());
        Assert.Null(_stores[0].TryGet(id));
    }

    [Fact]
    public async Task LocalRead_OfADataFileCutShort_IsNotServed_AndTheReplicaIsQuarantined()
    {
        await StartAsync(1);
        var id = new ChunkId(0x10F);
        var data = await WriteAsync(id, 4 * Block, seed: 5);
        using (var file = new FileStream(DataFile(0, id), FileMode.Open, FileAccess.Write))
        {
            file.SetLength((3 * Block) + 10);
        }
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            new ChunkReadClient().ReadAsync(id, 1, 0, -1, [Cluster.Endpoints[0]], destination, CancellationToken.None));

        Assert.Equal(ChunkErrorCode.Corrupt, error.Code);
        Assert.Equal(data.AsSpan(0, 3 * Block).ToArray(), destination.ToArray());
        Assert.Null(_stores[0].TryGet(id));
    }

    [Fact]
    public async Task Read_FromAServerThatRefusesLocalReads_GoesOverTheConnection()
    {
        await StartAsync(1, new ChunkServerOptions { ShortCircuitLocalReads = false });
        var id = new ChunkId(0x110);
        var data = await WriteAsync(id, 3 * Block + 1, seed: 6);
        var client = new ChunkReadClient();

        var read = await ReadAsync(client, id, 0, -1, Cluster.Endpoints[0]);

        Assert.Equal(data, read);
        Assert.Equal(0, client.LocalBytesRead);
        Assert.Equal(data.Length, client.BytesRead);
    }

    [Fact]
    public async Task Read_WithLocalReadsTurnedOff_GoesOverTheConnection()
    {
        await StartAsync(1);
        var id = new ChunkId(0x111);
        var data = await WriteAsync(id, 2 * Block, seed: 7);
        var client = new ChunkReadClient(new ChunkReadOptions { ShortCircuitLocalReads = false });

        Assert.Equal(data, await ReadAsync(client, id, 0, -1, Cluster.Endpoints[0]));
        Assert.Equal(0, client.LocalBytesRead);
    }

    [Fact]
    public async Task Read_FromAStoreWithoutFiles_GoesOverTheConnection()
    {
        _cluster = await ChunkCluster.StartInMemoryAsync(1);
        var id = new ChunkId(0x112);
        var data = await WriteAsync(id, 2 * Block + 9, seed: 8);
        var client = new ChunkReadClient();

        Assert.Equal(data, await ReadAsync(client, id, 0, -1, Cluster.Endpoints[0]));
        Assert.Equal(0, client.LocalBytesRead);
    }

    [Theory]
    [InlineData(2, 0, -1, ChunkErrorCode.StaleVersion)]
    [InlineData(1, 10, Block, ChunkErrorCode.BadRange)]
    [InlineData(1, Block + 1, -1, ChunkErrorCode.BadRange)]
    public async Task LocalRead_OfAStaleVersionOrABadRange_IsRefusedWithTheServersError_AndDeliversNothing(long minimumVersion, long offset, long length, ChunkErrorCode expected)
    {
        await StartAsync(1);
        var id = new ChunkId(0x113);
        await WriteAsync(id, Block, seed: 9);
        var client = new ChunkReadClient();
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            client.ReadAsync(id, minimumVersion, offset, length, [Cluster.Endpoints[0]], destination, CancellationToken.None));

        Assert.Equal(expected, error.Code);
        Assert.Equal(0, destination.Length);
        Assert.NotNull(_stores[0].TryGet(id));
    }

    [Fact]
    public async Task LocalRead_OfAReplicaDeletedAfterItsFileWasOpened_StillDeliversTheVerifiedBytes()
    {
        await StartAsync(1);
        var id = new ChunkId(0x114);
        var data = await WriteAsync(id, 4 * Block, seed: 10);
        var client = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = Block });
        using var destination = new MemoryStream();
        var deleted = false;

        await client.ReadAsync(id, 1, 0, -1, [Cluster.Endpoints[0]], async (bytes, ct) =>
        {
            // Garbage collection removes the replica after the first block was read from the open file.
            if (!deleted)
            {
                _stores[0].Delete(id);
                deleted = true;
            }
            await destination.WriteAsync(bytes, ct);
        }, CancellationToken.None);

        Assert.Equal(data, destination.ToArray());
        Assert.Null(_stores[0].TryGet(id));
        Assert.Equal(data.Length, client.LocalBytesRead);
    }
}
