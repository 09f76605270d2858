using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Files;
using Dfs.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Http;

/// <summary>Streaming over real sockets: large chunked uploads, clients that go away mid-upload, corrupt replicas, curl.</summary>
public sealed class StreamingTests(FileGatewayFixture fixture) : IClassFixture<FileGatewayFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ChunkedUpload_OfManyChunks_StreamsThroughAndReadsBack()
    {
        var path = UniqueDir() + "/big.bin";
        var content = Content((40 * FileGatewayFixture.ChunkSize) + 3);
        using var request = new HttpRequestMessage(HttpMethod.Put, Url("/api/files" + path))
        {
            // No length: the body is sent chunked, so the gateway cannot know its size in advance.
            Content = new StreamContent(new NoLengthStream(content)),
        };

        using var put = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await fixture.Http.GetByteArrayAsync(Url("/api/files" + path)));
        Assert.Equal(41, (await fixture.Metadata.LookupAsync(path)).Chunks.Count);
    }

    [Fact]
    public async Task Upload_LargerThanKestrelsDefaultBodyLimit_IsAccepted()
    {
        var path = UniqueDir() + "/beyond-limit.bin";
        // Kestrel refuses bodies over 30,000,000 bytes unless the route lifts the limit.
        var content = Content(30_000_000 + 5);
        // A gateway of its own with 8 MiB chunks over the same chunk servers, so the body is a few chunks rather than hundreds.
        await using var gateway = await GatewayApp.StartAsync(fixture.Cluster.Config with { ChunkSizeBytes = 8 << 20 }, _ => fixture.Metadata);
        using var request = new HttpRequestMessage(HttpMethod.Put, Url("/api/files" + path)) { Content = new ByteArrayContent(content) };

        using var put = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content.Length, (await put.JsonAsync()).GetProperty("size").GetInt64());
        Assert.Equal(4, (await fixture.Metadata.LookupAsync(path)).Chunks.Count);
        using var head = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url("/api/files" + path)));
        Assert.Equal(ETagOf(content), head.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_WhoseClientGoesAwayMidBody_LeavesNoVersion(bool reset)
    {
        var path = UniqueDir() + "/abandoned";
        var commits = fixture.Metadata.CommitCalls;
        // Allocations drawn ahead for earlier uploads may serve this one, so its start shows as one more allocation taken.
        var pool = fixture.Gateway.Services.GetRequiredService<FileUploader>().Allocations;
        var taken = pool.Taken;
        var finishedBefore = fixture.Gateway.Finished.Count(f => f.Target.EndsWith("/abandoned", StringComparison.Ordinal));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(fixture.Gateway.Address.Host, fixture.Gateway.Address.Port);
            var stream = client.GetStream();
            var head = $"PUT /api/files{path} HTTP/1.1\r\nHost: {fixture.Gateway.Address.Authority}\r\nContent-Length: {10 * FileGatewayFixture.ChunkSize}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            // Two and a half chunks of the ten announced: the gateway is mid-pipeline when the client goes.
            await stream.WriteAsync(Content((5 * FileGatewayFixture.ChunkSize) / 2));
            await stream.FlushAsync();
            await Eventually.WaitUntilAsync(() => pool.Taken > taken, Timeout, () => "no allocation taken", "the upload to start streaming");
            if (reset)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
            }
            else
            {
                // A body shorter than its Content-Length: the client half-closes and waits for the answer.
                client.Client.Shutdown(SocketShutdown.Send);
                var answer = new byte[4096];
                int read;
                try
                {
                    read = await stream.ReadAsync(answer);
                }
                catch (IOException)
                {
                    // The gateway may reset a connection whose body it stopped reading; what matters is what it committed.
                    read = 0;
                }
                Assert.DoesNotContain(" 201 ", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
            }
        }

        await Eventually.WaitUntilAsync(
            () => fixture.Gateway.Finished.Count(f => f.Target.EndsWith("/abandoned", StringComparison.Ordinal)) > finishedBefore,
            Timeout, () => string.Join(", ", fixture.Gateway.Finished), "the gateway to finish the abandoned upload");
        Assert.Equal(commits, fixture.Metadata.CommitCalls);
        using var get = await fixture.Http.GetAsync(Url("/api/files" + path));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Download_WhoseFirstReplicaHasAFlippedBit_StillReturnsTheExactBytes()
    {
        var path = UniqueDir() + "/flipped";
        var content = Content((2 * FileGatewayFixture.ChunkSize) + 100);
        (await fixture.Http.PutFileAsync(path, content)).Dispose();
        var location = await fixture.Metadata.LookupAsync(path);
        var first = location.Chunks[1];
        var primary = fixture.Cluster.ChunkServer(first.Replicas[0].Id);
        var root = ((FileChunkStore)primary.Store).RootPath;
        var file = Directory.GetFiles(Path.Combine(root, "chunks"), $"{first.Chunk.ChunkId:x16}.*.data").Single();
        await using (var handle = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            handle.Position = 1234;
            var b = handle.ReadByte();
            handle.Position = 1234;
            handle.WriteByte((byte)(b ^ 0x10));
        }

        using var get = await fixture.Http.GetAsync(Url("/api/files" + path));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Curl_UploadsAndDownloadsTheSameBytes()
    {
        using var directory = TestDirectory.Create("curl");
        var source = directory.Combine("source.bin");
        var target = directory.Combine("target.bin");
        var content = Content((3 * FileGatewayFixture.ChunkSize) + 17);
        await File.WriteAllBytesAsync(source, content);
        var url = new Uri(fixture.Gateway.Address, "/api/files" + UniqueDir() + "/curl%20file.bin").AbsoluteUri;

        var (putCode, putOut) = await CurlAsync($"-sS -o - -w \"\\n%{{http_code}}\" -T \"{source}\" -H \"Content-Type: application/x-curl\" \"{url}\"");
        Assert.True(putCode == 0, putOut);
        Assert.EndsWith("201", putOut.Trim(), StringComparison.Ordinal);
        Assert.Contains("curl file.bin", putOut, StringComparison.Ordinal);

        var (getCode, getOut) = await CurlAsync($"-sS -f -o \"{target}\" \"{url}\"");
        Assert.True(getCode == 0, getOut);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    private static async Task<(int ExitCode, string Output)> CurlAsync(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("curl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>A readable stream that does not tell its length, so HttpClient sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] content) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            // Odd-sized reads, so chunk and packet boundaries never line up with the writes.
            var take = Math.Min(Math.Min(count, 7777), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, take);
            _position += take;
            return take;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
