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
        await using var link = await LinkedAsync(store, new ReplicaJournal(store));

        var first = await link.NextAsync();
        Assert.True(first.FullReport);
        await using (var writer = store.BeginWrite(new ChunkId(42), 3))
        {
            await writer.WriteAsync(new byte[10], link.Stopping);
            await writer.CommitAsync(link.Stopping);
        }
        link.Link.Wake();

        var second = await link.NextAsync();
        Assert.False(second.FullReport);
        var added = Assert.Single(second.Added);
        Assert.Equal((42UL, 3L), (added.Id, added.Version));
    }

    [Fact]
    public async Task AFailedCopy_IsReportedToTheMasterOnce_InTheNextHeartbeat()
    {
        var store = new InMemoryChunkStore();
        var journal = new ReplicaJournal(store);
        await using var link = await LinkedAsync(store, journal);
        Assert.Empty((await link.NextAsync()).FailedCopies);

        journal.FailedCopies.Add(new ReportedChunk(77, 4, 0));
        link.Link.Wake();
        var reporting = await link.NextAsync();
        link.Link.Wake();
        var after = await link.NextAsync();

        Assert.Equal([new ReportedChunk(77, 4, 0)], reporting.FailedCopies);
        Assert.Empty(after.FailedCopies);
    }

    /// <summary>A link of chunk server c1 heartbeating to a fake master on loopback, running until disposed.</summary>
    private static async Task<RunningLink> LinkedAsync(InMemoryChunkStore store, ReplicaJournal journal)
    {
        var service = new ChunkService(store, new ChunkServerOptions(), NullLogger<ChunkService>.Instance);
        // An hour between ticks: any second heartbeat within a test can only come from a wake.
        var options = new ChunkServerHeartbeatOptions { ServerId = "c1", Masters = [], Interval = TimeSpan.FromHours(1), Timeout = TimeSpan.FromSeconds(30) };
        var runner = new ReplicaCommandRunner(service, new ReplicaCopier(service), options, NullLogger.Instance);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var link = new MasterLink(new MasterAddress("m1", "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port), options, journal,
            () => new HeartbeatRequest("c1", "127.0.0.1", 7201, 1000, 0, 1000, 0, 1, false, 0, false, [], [], []),
            runner, TimeProvider.System, NullLogger.Instance);
        var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var heartbeats = Channel.CreateUnbounded<HeartbeatRequest>();
        var running = link.RunAsync(stop.Token);
        var socket = await listener.AcceptSocketAsync(stop.Token);
        listener.Stop();
        return new RunningLink(link, heartbeats.Reader, running, ServeAsync(socket, heartbeats.Writer, stop.Token), socket, stop);
    }

    private sealed record RunningLink(MasterLink Link, ChannelReader<HeartbeatRequest> Heartbeats, Task Running, Task Serving, Socket Socket,
        CancellationTokenSource Stop) : IAsyncDisposable
    {
        public CancellationToken Stopping => Stop.Token;

        public ValueTask<HeartbeatRequest> NextAsync() => Heartbeats.ReadAsync(Stop.Token);

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await Running;
            await Task.WhenAny(Serving); // the fake master ends with the connection, however it ended
            Socket.Dispose();
            Stop.Dispose();
        }
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
