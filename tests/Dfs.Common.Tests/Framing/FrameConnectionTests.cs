using System.Net;
using System.Net.Sockets;
using Dfs.Common.Framing;

namespace Dfs.Common.Tests.Framing;

public sealed class FrameConnectionTests
{
    [Fact]
    public async Task Dispose_OfABrokenConnectionWithUnflushedFrames_DoesNotThrow()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The connect completes from the listen backlog, before the peer is accepted and reset.
        var connection = await FrameConnection.ConnectAsync("127.0.0.1", port, CancellationToken.None);
        using (var accepted = await listener.AcceptSocketAsync())
        {
            accepted.LingerState = new LingerOption(true, 0); // reset, not a graceful close
        }
        // Keep writing until the reset is noticed, then leave a frame unflushed behind it.
        var payload = new byte[64 * 1024];
        var broken = false;
        for (var i = 0; i < 1000 && !broken; i++)
        {
            connection.WriteFrame(1, (ulong)i, payload);
            try
            {
                await connection.FlushAsync(CancellationToken.None);
            }
            catch (IOException)
            {
                broken = true;
            }
        }
        Assert.True(broken, "the peer's reset was never noticed");
        connection.WriteFrame(1, 0, payload);

        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Read_ReturnsEveryFrameOfOneFlush_InOrder()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var sender = await FrameConnection.ConnectAsync("127.0.0.1", port, CancellationToken.None);
        using var socket = await listener.AcceptSocketAsync();
        await using var receiver = new FrameConnection(new SocketPipe(socket));

        for (ulong i = 1; i <= 3; i++)
        {
            sender.WriteFrame(7, i, [(byte)i]);
        }
        await sender.FlushAsync(CancellationToken.None);

        for (ulong i = 1; i <= 3; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var frame = await receiver.ReadAsync(timeout.Token);
            Assert.NotNull(frame);
            Assert.Equal(i, frame.Value.RequestId);
        }
    }

    private sealed class SocketPipe(Socket socket) : System.IO.Pipelines.IDuplexPipe
    {
        private readonly NetworkStream _stream = new(socket);

        public System.IO.Pipelines.PipeReader Input => System.IO.Pipelines.PipeReader.Create(_stream);

        public System.IO.Pipelines.PipeWriter Output => System.IO.Pipelines.PipeWriter.Create(_stream);
    }
}
