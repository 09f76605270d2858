using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Files;
using Dfs.Client.Metadata;
using Dfs.Gateway.Tests.Fakes;
using Dfs.Testing.Cluster;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Files;

/// <summary>FileUploader and FileDownloader against real chunk servers that die under them.</summary>
public sealed class FileTransferTests
{
    private const int ChunkSize = 256 * 1024;

    [Fact]
    public async Task Upload_WhenAReplicaDiesMidChunk_FinishesOnTheSurvivorsUnderAVersionTheMasterBumped()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 3 });
        var metadata = Metadata(cluster, replicationFactor: 3);
        var uploader = new FileUploader(metadata, new ChunkWriteClient(), new FileTransferOptions { ChunkSizeBytes = ChunkSize });
        var content = Content((2 * ChunkSize) + 999);
        // The source kills the pipeline's last server 100 KiB into the first chunk, while that chunk is streaming.
        var source = new TriggerStream(content, 100 * 1024, () => cluster.KillChunkServerAsync("c3"));

        var result = await uploader.UploadAsync(new FileUploadRequest("/d/f", "application/octet-stream", ExpectedVersion.Any), source, CancellationToken.None);

        Assert.True(source.Triggered);
        Assert.True(result.Recoveries >= 1, $"recoveries {result.Recoveries}");
        Assert.True(metadata.Bumps >= 1);
        var location = await metadata.LookupAsync("/d/f");
        Assert.Equal(3, location.Chunks.Count);
        Assert.All(location.Chunks, c => Assert.True(c.Chunk.ChunkVersion >= 2, $"chunk {c.Chunk.ChunkId:x16} at v{c.Chunk.ChunkVersion}"));
        Assert.All(location.Chunks, c => Assert.DoesNotContain(c.Replicas, r => r.Id == "c3"));
        Assert.Equal(Dfs.Common.Hashing.Crc32C.Compute(content), location.Version.Checksum);

        var downloaded = new MemoryStream();
        await new FileDownloader(metadata, new ChunkReadClient()).DownloadAsync(location, 0, content.Length, downloaded, CancellationToken.None);
        Assert.Equal(content, downloaded.ToArray());
    }

    [Fact]
    public async Task Upload_WhenTheWholePipelineIsDown_RetriesTheChunkOnANewAllocation()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 2 });
        var metadata = Metadata(cluster, replicationFactor: 1);
        await cluster.KillChunkServerAsync("c1");
        var uploader = new FileUploader(metadata, new ChunkWriteClient(new ChunkWriteOptions { ConnectTimeout = TimeSpan.FromSeconds(2) }),
            new FileTransferOptions { ChunkSizeBytes = ChunkSize });
        var content = Content(1000);

        var result = await uploader.UploadAsync(new FileUploadRequest("/f", "text/plain", ExpectedVersion.None), new MemoryStream(content), CancellationToken.None);

        Assert.Equal(1, result.Commit.Version);
        Assert.Equal(2, metadata.Allocations);
        var location = await metadata.LookupAsync("/f");
        Assert.Equal("c2", Assert.Single(Assert.Single(location.Chunks).Replicas).Id);
    }

    [Fact]
    public async Task Download_WhenEveryListedReplicaFails_LooksTheReplicasUpAgain()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 3 });
        var metadata = Metadata(cluster, replicationFactor: 3);
        var content = Content(ChunkSize + 10);
        await new FileUploader(metadata, new ChunkWriteClient(), new FileTransferOptions { ChunkSizeBytes = ChunkSize })
            .UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any), new MemoryStream(content), CancellationToken.None);
        var fresh = await metadata.LookupAsync("/f");
        // A location read before c1 died that names only c1: every listed replica fails.
        var stale = fresh with { Chunks = [.. fresh.Chunks.Select(c => c with { Replicas = [c.Replicas.Single(r => r.Id == "c1")] })] };
        await cluster.KillChunkServerAsync("c1");
        var downloaded = new MemoryStream();

        await new FileDownloader(metadata, new ChunkReadClient()).DownloadAsync(stale, 5, content.Length - 5, downloaded, CancellationToken.None);

        Assert.Equal(content[5..], downloaded.ToArray());
    }

    [Fact]
    public async Task Download_IntoAPipe_WhenEveryListedReplicaFails_LooksTheReplicasUpAgain()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 3 });
        var metadata = Metadata(cluster, replicationFactor: 3);
        var content = Content((2 * ChunkSize) + 10);
        await new FileUploader(metadata, new ChunkWriteClient(), new FileTransferOptions { ChunkSizeBytes = ChunkSize })
            .UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any), new MemoryStream(content), CancellationToken.None);
        var fresh = await metadata.LookupAsync("/f");
        var stale = fresh with { Chunks = [.. fresh.Chunks.Select(c => c with { Replicas = [c.Replicas.Single(r => r.Id == "c1")] })] };
        await cluster.KillChunkServerAsync("c1");
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0));

        await new FileDownloader(metadata, new ChunkReadClient()).DownloadAsync(stale, 5, content.Length - 5, pipe.Writer, CancellationToken.None);

        await pipe.Writer.CompleteAsync();
        var downloaded = new MemoryStream();
        await pipe.Reader.CopyToAsync(downloaded);
        Assert.Equal(content[5..], downloaded.ToArray());
    }

    [Fact]
    public async Task Upload_OfContentShorterThanAnnounced_CommitsNothing()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 1 });
        var metadata = Metadata(cluster, replicationFactor: 1);
        var uploader = new FileUploader(metadata, new ChunkWriteClient(), new FileTransferOptions { ChunkSizeBytes = ChunkSize });

        await Assert.ThrowsAsync<IncompleteContentException>(() =>
            uploader.UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any, ExpectedLength: 5000), new MemoryStream(Content(4999)), CancellationToken.None));

        Assert.Equal(0, metadata.CommitCalls);
    }

    private static InMemoryMetadataService Metadata(DfsTestCluster cluster, int replicationFactor) =>
        new([.. cluster.ChunkServers.Select(c => new ChunkServerAddress(c.Id, "127.0.0.1", c.Port))], replicationFactor);

    /// <summary>Yields <paramref name="content"/>, running <paramref name="trigger"/> once, before handing out the byte at <paramref name="at"/>.</summary>
    private sealed class TriggerStream(byte[] content, int at, Func<Task> trigger) : Stream
    {
        private int _position;

        public bool Triggered { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Triggered && _position >= at)
            {
                Triggered = true;
                await trigger();
            }
            var limit = Triggered ? content.Length : at;
            var take = Math.Min(buffer.Length, limit - _position);
            content.AsMemory(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
