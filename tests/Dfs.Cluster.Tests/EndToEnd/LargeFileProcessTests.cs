using System.Net;
using System.Net.Http.Headers;
using Dfs.Common.Hashing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>A 1 GiB file through the gateway of real processes, streamed both ways: neither side ever holds it in memory.</summary>
public sealed class LargeFileProcessTests
{
    private const long Size = 1L << 30;

    [Fact]
    public async Task OneGibFile_RoundTripsThroughTheGateway_InSixtyFourChunks_ByteForByte()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(OneGibFile_RoundTripsThroughTheGateway_InSixtyFourChunks_ByteForByte),
            new DfsProcessClusterOptions { ChunkSizeBytes = 16L * 1024 * 1024 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromMinutes(10) };
        var block = new byte[1024 * 1024 + 4093]; // not a divisor of the chunk size, so chunk boundaries fall inside blocks
        new Random(1).NextBytes(block);
        var expectedCrc = ~Crc32COf(block, Size, uint.MaxValue);

        using (var content = new StreamContent(new RepeatingStream(block, Size), 1024 * 1024))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = Size;
            using var put = await http.PutAsync(new Uri("/api/files/big/one-gib.bin", UriKind.Relative), content);
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"{put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
        }

        using var get = await http.GetAsync(new Uri("/api/files/big/one-gib.bin", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Size, get.Content.Headers.ContentLength);
        Assert.Equal($"\"{expectedCrc:x8}\"", get.Headers.ETag?.Tag);
        await using var body = await get.Content.ReadAsStreamAsync();
        var buffer = new byte[1024 * 1024];
        long received = 0;
        var state = uint.MaxValue;
        var mismatchAt = -1L;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read && mismatchAt < 0; i++)
            {
                if (buffer[i] != block[(received + i) % block.Length])
                {
                    mismatchAt = received + i;
                }
            }
            state = Crc32C.Append(state, buffer.AsSpan(0, read));
            received += read;
        }
        Assert.Equal(Size, received);
        Assert.True(mismatchAt < 0, $"the downloaded bytes differ from byte {mismatchAt} on");
        Assert.Equal(expectedCrc, ~state);
    }

    private static uint Crc32COf(byte[] block, long length, uint state)
    {
        for (long done = 0; done < length;)
        {
            var n = (int)Math.Min(block.Length, length - done);
            state = Crc32C.Append(state, block.AsSpan(0, n));
            done += n;
        }
        return state;
    }

    /// <summary><paramref name="block"/> repeated up to <paramref name="length"/> bytes, read once.</summary>
    private sealed class RepeatingStream(byte[] block, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < length)
            {
                var at = (int)(_position % block.Length);
                var n = (int)Math.Min(Math.Min(block.Length - at, buffer.Length - written), length - _position);
                block.AsSpan(at, n).CopyTo(buffer[written..]);
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
