using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Common.Framing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.ChunkServer.Tests.Membership;

public sealed class MasterLinkTests
{
    [Fact]
    public async Task Wake_SendsAHeartbeatAtOnce_ThatReportsTheReplicaJustWritten()
    {
        var store = new InMemoryChunkStore();
        var service = new ChunkService(store, new ChunkServerOptions(), NullLogger<ChunkService>.Instance);
        // An hour between ticks: any second heartbeat within the test can only come from the wake.
        var options = new ChunkServerHeartbeatOptions { ServerId = "c1", Masters = [], Interval = TimeSpan.FromHours(1), Timeout = TimeSpan.FromSeconds(30) };
        var runner = new ReplicaCommandRunner(service, new ReplicaCopier(service), options, NullLogger.Instance);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var link = new MasterLink(new MasterAddress("m1", "127.0.0.1", port), options, new ReplicaJournal(store),
            () => new HeartbeatRequest("c1", "127.0.0.1", 7201, 1000, 0, 1000, 0, 1, false, 0, false, [], [], []),
            runner, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var heartbeats = Channel.CreateUnbounded<HeartbeatRequest>();
        var running = link.RunAsync(stop.Token);
        using var socket = await listener.AcceptSocketAsync(stop.Token);
        var serving = ServeAsync(socket, heartbeats.Writer, stop.Token);

        var first = await heartbeats.Reader.ReadAsync(stop.Token);
        Assert.True(first.FullReport);
        await using (var writer = store.BeginWrite(new ChunkId(42), 3))
        {
            await writer.WriteAsync(new byte[10], stop.Token);
            await writer.CommitAsync(stop.Token);
        }
        link.Wake();

        var second = await heartbeats.Reader.ReadAsync(stop.Token);
        Assert.False(second.FullReport);
        var added = Assert.Single(second.Added);
        Assert.Equal((42UL, 3L), (added.Id, added.Version));

        await stop.CancelAsync();
        await running;
        await Task.WhenAny(serving); // the fake master ends with the connection, however it ended
    }

    [Fact]
    public async Task AFailedCopy_IsReportedToTheMasterOnce_InTheNextHeartbeat()
    {
        var store = new InMemoryChunkStore();
        var service = new ChunkService(store, new ChunkServerOptions(), NullLogger<ChunkService>.Instance);
        var options = new ChunkServerHeartbeatOptions { ServerId = "c1", Masters = [], Interval = TimeSpan.FromHours(1), Timeout = TimeSpan.FromSeconds(30) };
        var runner = new ReplicaCommandRunner(service, new ReplicaCopier(service), options, NullLogger.Instance);
        var journal = new ReplicaJournal(store);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var link = new MasterLink(new MasterAddress("m1", "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port), options, journal,
            () => new HeartbeatRequest("c1", "127.0.0.1", 7201, 1000, 0, 1000, 0, 1, false, 0, false, [], [], []),
            runner, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var heartbeats = Channel.CreateUnbounded<HeartbeatRequest>();
        var running = link.RunAsync(stop.Token);
        using var socket = await listener.AcceptSocketAsync(stop.Token);
        var serving = ServeAsync(socket, heartbeats.Writer, stop.Token);
        Assert.Empty((await heartbeats.Reader.ReadAsync(stop.Token)).FailedCopies);

        journal.FailedCopies.Add(new ReportedChunk(77, 4, 0));
        link.Wake();
        var reporting = await heartbeats.Reader.ReadAsync(stop.Token);
        link.Wake();
        var after = await heartbeats.Reader.ReadAsync(stop.Token);

        Assert.Equal([new ReportedChunk(77, 4, 0)], reporting.FailedCopies);
        Assert.Empty(after.FailedCopies);
        await stop.CancelAsync();
        await running;
        await Task.WhenAny(serving);
    }

    // A master that answers every heartbeat as the leader of term 1 with no orders, and hands each request to the test.
    private static async Task ServeAsync(Socket socket, ChannelWriter<HeartbeatRequest> heartbeats, CancellationToken cancellationToken)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        await using var frames = new FrameConnection(new Duplex(PipeReader.Create(stream), PipeWriter.Create(stream)), owned: stream);
        while (await frames.ReadAsync(cancellationToken) is { } frame)
        {
            await heartbeats.WriteAsync(HeartbeatProtocol.ReadRequest(frame.Payload), cancellationToken);
            var writer = frames.BeginFrame(HeartbeatProtocol.ReplyFrame, frame.RequestId);
            HeartbeatProtocol.Write(writer, new HeartbeatReply(true, "m1", 1, false, [], []));
            frames.EndFrame();
            await frames.FlushAsync(cancellationToken);
        }
        throw new IOException("The chunk server closed its heartbeat connection.");
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
