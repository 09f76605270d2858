using System.Collections.Concurrent;
using System.Net;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;
using Dfs.Raft.Consensus.Transport;
using Dfs.Testing;

namespace Dfs.Raft.Tests.Transport;

public sealed class TcpRaftTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _snapshotDirectory = Path.Combine(Path.GetTempPath(), "dfs-raft-transport-tests-" + Guid.NewGuid().ToString("N"));
    private readonly List<IAsyncDisposable> _cleanup = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i].DisposeAsync();
        }
        if (Directory.Exists(_snapshotDirectory))
        {
            Directory.Delete(_snapshotDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Messages_SentBetweenTwoTransports_ArriveInOrder()
    {
        var (a, _, _) = await StartNodeAsync("a");
        var (b, bInbox, bListener) = await StartNodeAsync("b");
        a.SetPeer("b", Loopback(bListener.EndPoint.Port));

        for (var i = 1; i <= 500; i++)
        {
            a.Send(new AppendEntries("a", "b", 1, i - 1, 1, [new LogEntry(1, i, EntryKind.Command, BitConverter.GetBytes(i))], i, 0));
        }

        await Eventually.WaitUntilAsync(() => bInbox.Count >= 500, Timeout, () => $"500 messages at b, saw {bInbox.Count}");
        var indexes = bInbox.Cast<AppendEntries>().Select(m => m.Entries[0].Index).ToArray();
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), indexes);
        Assert.Equal(BitConverter.GetBytes(500), ((AppendEntries)bInbox.Last()).Entries[0].Payload.ToArray());
        _ = b;
    }

    [Fact]
    public async Task Sending_ToAPeerThatIsDown_ReportsItUnreachable()
    {
        var unreachable = new ConcurrentQueue<string>();
        var (a, _, _) = await StartNodeAsync("a", unreachable);
        a.SetPeer("b", Loopback(await ClosedPortAsync()));

        a.Send(new TimeoutNow("a", "b", 1));

        await Eventually.WaitUntilAsync(() => unreachable.Contains("b"), Timeout, () => "b reported unreachable, saw none");
    }

    [Fact]
    public async Task Transport_ReconnectsAfterThePeerRestarts()
    {
        var (a, _, _) = await StartNodeAsync("a");
        var (b, bInbox, bListener) = await StartNodeAsync("b");
        var port = bListener.EndPoint.Port;
        a.SetPeer("b", Loopback(port));
        a.Send(new TimeoutNow("a", "b", 1));
        await Eventually.WaitUntilAsync(() => bInbox.Count == 1, Timeout, () => $"first message at b, saw {bInbox.Count}");

        await bListener.DisposeAsync();
        _cleanup.Remove(bListener);
        await b.DisposeAsync();
        var restarted = new TcpRaftTransport(new TcpRaftTransportOptions { NodeId = "b", SnapshotDirectory = _snapshotDirectory });
        _cleanup.Add(restarted);
        var restartedInbox = new ConcurrentQueue<RaftMessage>();
        restarted.Start(restartedInbox.Enqueue, _ => { });
        var restartedListener = await RaftTcpListener.StartAsync(new IPEndPoint(IPAddress.Loopback, port), restarted, CancellationToken.None);
        _cleanup.Add(restartedListener);

        // The first sends may vanish into the dead connection; Raft resends, and so does this loop.
        await Eventually.WaitUntilAsync(() =>
        {
            a.Send(new TimeoutNow("a", "b", 2));
            return !restartedInbox.IsEmpty;
        }, Timeout, () => "a message at the restarted b, saw none");
        Assert.Equal(2, restartedInbox.First().Term);
    }

    [Fact]
    public async Task APeerThatClosesTheConnection_IsReportedClosedAtOnce_AndTheNextMessageArrivesOverANewConnection()
    {
        // The peer is a bare socket: it reads what comes, and then closes as the kernel does for a process that died.
        using var peer = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        peer.Start();
        var closed = new ConcurrentQueue<string>();
        var transport = new TcpRaftTransport(new TcpRaftTransportOptions { NodeId = "a", SnapshotDirectory = _snapshotDirectory });
        _cleanup.Add(transport);
        transport.Start(_ => { }, _ => { }, closed.Enqueue);
        transport.SetPeer("b", Loopback(((IPEndPoint)peer.LocalEndpoint).Port));
        using var timeout = new CancellationTokenSource(Timeout);

        transport.Send(new TimeoutNow("a", "b", 1));
        using (var first = await peer.AcceptSocketAsync(timeout.Token))
        {
            Assert.True(await first.ReceiveAsync(new byte[256], timeout.Token) > 0);
            Assert.Empty(closed);
        }

        // Nothing is sent after the close: the transport notices it by itself.
        await Eventually.WaitUntilAsync(() => closed.Contains("b"), Timeout, () => "b reported closed, saw nothing");

        // One send, no retry: it must not vanish into the dead connection.
        transport.Send(new TimeoutNow("a", "b", 2));
        using var second = await peer.AcceptSocketAsync(timeout.Token);
        Assert.True(await second.ReceiveAsync(new byte[256], timeout.Token) > 0);
        Assert.Single(closed);
    }

    [Theory]
    [InlineData(1000)]              // held in memory by the receiver
    [InlineData(3 * 1024 * 1024 + 17)] // streamed in several chunks into a temporary file
    public async Task InstallSnapshot_StreamsThePayload_AndTheReceiverGetsTheSameBytes(int size)
    {
        var (a, _, _) = await StartNodeAsync("a", inMemoryLimit: 64 * 1024);
        var (_, bInbox, bListener) = await StartNodeAsync("b", inMemoryLimit: 64 * 1024);
        a.SetPeer("b", Loopback(bListener.EndPoint.Port));
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var metadata = new SnapshotMetadata(77, 3, new ClusterConfiguration(["a", "b"]));

        a.Send(new InstallSnapshot("a", "b", 3, metadata, new MemorySnapshotPayload(bytes)));
        a.Send(new TimeoutNow("a", "b", 3));

        await Eventually.WaitUntilAsync(() => bInbox.Count == 2, Timeout, () => $"snapshot and a message after it at b, saw {bInbox.Count}");
        var received = Assert.IsType<InstallSnapshot>(bInbox.First());
        Assert.Equal(metadata, received.Metadata);
        Assert.IsType<TimeoutNow>(bInbox.Last());
        Assert.NotNull(received.Payload);
        if (size > 64 * 1024)
        {
            Assert.IsType<FileSnapshotPayload>(received.Payload);
        }
        using var stream = received.Payload.OpenRead();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Garbage_OnAnInboundConnection_ClosesItWithoutDeliveringAnything()
    {
        var (_, bInbox, bListener) = await StartNodeAsync("b");
        await using var connection = await Dfs.Common.Framing.FrameConnection.ConnectAsync("127.0.0.1", bListener.EndPoint.Port, CancellationToken.None);
        connection.WriteFrame(RaftFrameType.AppendEntries, 0, new byte[] { 1, 2, 3 });
        await connection.FlushAsync(CancellationToken.None);

        var closed = await connection.ReadAsync(new CancellationTokenSource(Timeout).Token);

        Assert.Null(closed);
        Assert.Empty(bInbox);
    }

    private async Task<(TcpRaftTransport Transport, ConcurrentQueue<RaftMessage> Inbox, RaftTcpListener Listener)> StartNodeAsync(
        string id, ConcurrentQueue<string>? unreachable = null, int inMemoryLimit = 4 << 20)
    {
        var transport = new TcpRaftTransport(new TcpRaftTransportOptions
        {
            NodeId = id,
            SnapshotDirectory = _snapshotDirectory,
            InMemorySnapshotLimit = inMemoryLimit,
        });
        _cleanup.Add(transport);
        var inbox = new ConcurrentQueue<RaftMessage>();
        transport.Start(inbox.Enqueue, peer => unreachable?.Enqueue(peer));
        var listener = await RaftTcpListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), transport, CancellationToken.None);
        _cleanup.Add(listener);
        return (transport, inbox, listener);
    }

    private static DnsEndPoint Loopback(int port) => new("127.0.0.1", port);

    private static async Task<int> ClosedPortAsync()
    {
        // A port the OS just handed out and that nobody listens on any more.
        var sink = new TcpRaftTransport(new TcpRaftTransportOptions { NodeId = "probe" });
        var listener = await RaftTcpListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), sink, CancellationToken.None);
        var port = listener.EndPoint.Port;
        await listener.DisposeAsync();
        await sink.DisposeAsync();
        return port;
    }
}
