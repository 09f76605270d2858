using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Common.Hashing;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>The pipeline over real files with fsync: the stores a chunk server runs with.</summary>
public sealed class FileStorePipelineTests
{
    [Fact]
    public async Task ThreeNodeChainOnFileStores_WritesAndReadsBackAnOddSizedChunk_AndItSurvivesAStoreReopen()
    {
        using var directory = TestDirectory.Create("pipeline-files");
        var options = Enumerable.Range(1, 3).Select(i => new FileChunkStoreOptions { RootPath = directory.Combine($"c{i}") }).ToArray();
        var stores = options.Select(o => new FileChunkStore(o)).ToArray();
        var data = TestData.Bytes(3 * 1024 * 1024 + 17, seed: 21);
        var id = new ChunkId(0xF11E);
        try
        {
            await using var cluster = await ChunkCluster.StartAsync(stores);

            var result = await new ChunkWriteClient().WriteAsync(id, 1, cluster.Endpoints, new System.IO.MemoryStream(data), CancellationToken.None);

            Assert.Equal(new ChunkInfo(id, 1, data.Length, Crc32C.Compute(data)), result.Chunk);
            foreach (var endpoint in cluster.Endpoints)
            {
                Assert.Equal(data, await ChunkCluster.ReadAllAsync(id, 1, endpoint));
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }

        foreach (var option in options)
        {
            using var reopened = new FileChunkStore(option);
            Assert.Equal(new ChunkInfo(id, 1, data.Length, Crc32C.Compute(data)), reopened.TryGet(id));
        }
    }
}
