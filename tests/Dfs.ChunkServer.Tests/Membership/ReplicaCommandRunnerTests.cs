using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.ChunkServers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.ChunkServer.Tests.Membership;

public sealed class ReplicaCommandRunnerTests
{
    [Fact]
    public async Task DeleteOrders_FromALeaderOfAnOlderTermThanOneAlreadyHeard_AreIgnored()
    {
        var store = new InMemoryChunkStore();
        foreach (var id in new ulong[] { 1, 2, 3 })
        {
            await using var writer = store.BeginWrite(new ChunkId(id), 1);
            await writer.WriteAsync(new byte[10], CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }
        var service = new ChunkService(store, new ChunkServerOptions(), NullLogger<ChunkService>.Instance);
        var runner = new ReplicaCommandRunner(service, new ReplicaCopier(service),
            new ChunkServerHeartbeatOptions { ServerId = "c1", Masters = [] }, NullLogger.Instance);

        runner.Run(new HeartbeatReply(true, "m2", 7, false, [1], []), CancellationToken.None);
        // m1 led term 6 and has not learnt it was deposed: its view must not delete anything.
        runner.Run(new HeartbeatReply(true, "m1", 6, false, [2], []), CancellationToken.None);
        runner.Run(new HeartbeatReply(true, "m2", 7, false, [3], []), CancellationToken.None);

        Assert.Null(store.TryGet(new ChunkId(1)));
        Assert.NotNull(store.TryGet(new ChunkId(2)));
        Assert.Null(store.TryGet(new ChunkId(3)));
        Assert.Equal(7, runner.HighestLeaderTerm);
    }

    [Fact]
    public async Task ACopyThatFailsFromEverySource_IsReportedFailed_AndStoresNothing()
    {
        var store = new InMemoryChunkStore();
        var service = new ChunkService(store, new ChunkServerOptions(), NullLogger<ChunkService>.Instance);
        var failed = new TaskCompletionSource<ReplicateCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        var copied = 0;
        var runner = new ReplicaCommandRunner(service, new ReplicaCopier(service), new ChunkServerHeartbeatOptions { ServerId = "c1", Masters = [] },
            NullLogger.Instance, copied: () => Interlocked.Increment(ref copied), failed: command => failed.TrySetResult(command));
        // Two sources where nothing listens: both refuse the connection.
        var sources = ClosedPorts(2).Select(port => new ChunkEndpoint("127.0.0.1", port)).ToArray();

        runner.Run(new HeartbeatReply(true, "m1", 1, false, [], [new ReplicateCommand(9, 2, sources)]), CancellationToken.None);
        var reported = await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await runner.DrainAsync();

        Assert.Equal((9UL, 2L, 2), (reported.ChunkId, reported.Version, reported.Sources.Count));
        Assert.Null(store.TryGet(new ChunkId(9)));
        Assert.Equal((0, 0), (copied, runner.Copies));
    }

    private static int[] ClosedPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }
        var ports = listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }
        return ports;
    }
}
