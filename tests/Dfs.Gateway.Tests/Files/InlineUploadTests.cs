using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Files;
using Dfs.Client.Metadata;
using Dfs.Gateway.Tests.Fakes;
using Dfs.Testing.Cluster;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Files;

/// <summary>FileUploader and FileDownloader on small files kept inline, and on files just past the threshold.</summary>
public sealed class InlineUploadTests
{
    private const int ChunkSize = 256 * 1024;
    private const int Threshold = 64 * 1024;
    private static readonly FileTransferOptions Options = new() { ChunkSizeBytes = ChunkSize, InlineFileBytes = Threshold };

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(Threshold)]
    public async Task Upload_WithinTheThreshold_CommitsTheContentInline_WithNoChunkAllocated(int size)
    {
        var metadata = new InMemoryMetadataService([]);
        var content = Content(size);

        // Short reads: the uploader gathers the content across many reads of the source.
        var result = await new FileUploader(metadata, new ChunkWriteClient(), Options)
            .UploadAsync(new FileUploadRequest("/f", "text/plain", ExpectedVersion.None), new TrickleStream(content, 1000), CancellationToken.None);

        Assert.Equal(0, metadata.Allocations);
        Assert.Equal(1, metadata.CommitCalls);
        Assert.Equal(Dfs.Common.Hashing.Crc32C.Compute(content), result.Content.Checksum);
        var location = await metadata.LookupAsync("/f");
        Assert.Empty(location.Chunks);
        Assert.Equal(content, location.Version.Inline!.Value.ToArray());
    }

    [Fact]
    public async Task Download_OfAnInlineVersion_ServesAnyRangeFromTheLocation()
    {
        var metadata = new InMemoryMetadataService([]);
        var content = Content(5000);
        await new FileUploader(metadata, new ChunkWriteClient(), Options)
            .UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any), new MemoryStream(content), CancellationToken.None);
        var location = await metadata.LookupAsync("/f");
        var downloader = new FileDownloader(metadata, new ChunkReadClient(), Options);

        var whole = new MemoryStream();
        var middle = new MemoryStream();
        await downloader.DownloadAsync(location, 0, content.Length, whole, CancellationToken.None);
        await downloader.DownloadAsync(location, 1234, 100, middle, CancellationToken.None);

        Assert.Equal(content, whole.ToArray());
        Assert.Equal(content[1234..1334], middle.ToArray());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => downloader.DownloadAsync(location, 4990, 11, new MemoryStream(), CancellationToken.None));
    }

    [Fact]
    public async Task Upload_WithinTheThresholdButShorterThanAnnounced_CommitsNothing()
    {
        var metadata = new InMemoryMetadataService([]);

        await Assert.ThrowsAsync<IncompleteContentException>(() => new FileUploader(metadata, new ChunkWriteClient(), Options)
            .UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any, ExpectedLength: 101), new MemoryStream(Content(100)), CancellationToken.None));

        Assert.Equal(0, metadata.CommitCalls);
    }

    [Theory]
    [InlineData(Threshold + 1)]
    [InlineData(ChunkSize + 7)]
    public async Task Upload_PastTheThreshold_GoesToChunks_WithTheBytesAlreadyReadAsTheFirstChunksStart(int size)
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 1 });
        var metadata = new InMemoryMetadataService([.. cluster.ChunkServers.Select(c => new ChunkServerAddress(c.Id, "127.0.0.1", c.Port))], 1);
        var content = Content(size, seed: 3);
        var source = new TrickleStream(content, 7000);

        await new FileUploader(metadata, new ChunkWriteClient(), Options)
            .UploadAsync(new FileUploadRequest("/f", "", ExpectedVersion.Any), source, CancellationToken.None);

        Assert.Equal(content.Length, source.Handed);
        var location = await metadata.LookupAsync("/f");
        Assert.False(location.Version.IsInline);
        Assert.Equal((size + ChunkSize - 1) / ChunkSize, location.Chunks.Count);
        Assert.Equal(Dfs.Common.Hashing.Crc32C.Compute(content), location.Version.Checksum);
        var downloaded = new MemoryStream();
        await new FileDownloader(metadata, new ChunkReadClient(), Options).DownloadAsync(location, 0, content.Length, downloaded, CancellationToken.None);
        Assert.Equal(content, downloaded.ToArray());
    }

    /// <summary>Hands out <paramref name="content"/> at most <paramref name="piece"/> bytes per read, and counts what it handed out.</summary>
    private sealed class TrickleStream(byte[] content, int piece) : Stream
    {
        public int Handed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Handed; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var take = Math.Min(Math.Min(buffer.Length, piece), content.Length - Handed);
            content.AsMemory(Handed, take).CopyTo(buffer);
            Handed += take;
            return ValueTask.FromResult(take);
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
