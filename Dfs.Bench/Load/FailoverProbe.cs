using System.Buffers;
using System.Diagnostics;

namespace Dfs.Bench.Load;

/// <summary>
/// Measures the time from SIGKILL of a cluster's leader to the first acknowledged put that was sent after
/// the kill, with a few clients writing throughout and moving to another member on any failure.
/// </summary>
public sealed class FailoverProbe(IKvCluster cluster, int clients = 4)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="rounds"/> kill-and-restart rounds; returns each round's gap.</summary>
    public async Task<IReadOnlyList<TimeSpan>> MeasureAsync(int rounds, CancellationToken cancellationToken)
    {
        var gaps = new List<TimeSpan>();
        for (var round = 0; round < rounds; round++)
        {
            var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken);
            gaps.Add(await MeasureOnceAsync(round, leader, cancellationToken));
            await cluster.RestartAsync(leader, cancellationToken);
            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken);
            await cluster.WaitForCaughtUpAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        return gaps;
    }

    private async Task<TimeSpan> MeasureOnceAsync(int round, int leader, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long killedAt = long.MaxValue;
        long firstAckAfterKill = long.MaxValue;
        long acksBeforeKill = 0;
        var value = new byte[256];
        Array.Fill(value, (byte)'v');

        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            var protocol = cluster.NewProtocol();
            var request = new ArrayBufferWriter<byte>(1024);
            var target = leader;
            RawHttpConnection? connection = null;
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var endpoint = cluster.Endpoints[target];
                request.ResetWrittenCount();
                protocol.WritePut(request, endpoint.HostHeader, KvLoadRunner.Key($"failover{round}", worker, i), value);
                var started = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    timeout.CancelAfter(RequestTimeout);
                    connection ??= await RawHttpConnection.OpenAsync(endpoint.Host, endpoint.Port, timeout.Token);
                    var reply = await connection.SendAsync(request.WrittenMemory, timeout.Token);
                    ok = protocol.IsSuccess(reply, isGet: false);
                    if (!ok && reply.Location is { } location && Uri.TryCreate(location, UriKind.Absolute, out var uri))
                    {
                        // A follower named the leader: go there next.
                        var named = cluster.Endpoints.ToList().FindIndex(e => e.Port == uri.Port);
                        target = named >= 0 ? named : (target + 1) % cluster.Endpoints.Count;
                        connection.Dispose();
                        connection = null;
                        continue;
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    ok = false;
                }
                if (ok)
                {
                    if (started >= Volatile.Read(ref killedAt))
                    {
                        InterlockedMin(ref firstAckAfterKill, Stopwatch.GetTimestamp());
                    }
                    else
                    {
                        Interlocked.Increment(ref acksBeforeKill);
                    }
                }
                else
                {
                    connection?.Dispose();
                    connection = null;
                    target = (target + 1) % cluster.Endpoints.Count;
                }
            }
            connection?.Dispose();
        }, CancellationToken.None)).ToArray();

        // Let the clients reach a steady state first, then kill.
        var warm = Stopwatch.StartNew();
        while (Interlocked.Read(ref acksBeforeKill) < 100 && warm.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, cancellationToken);
        }
        Volatile.Write(ref killedAt, Stopwatch.GetTimestamp());
        cluster.Kill(leader);

        var waiting = Stopwatch.StartNew();
        while (Interlocked.Read(ref firstAckAfterKill) == long.MaxValue && waiting.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5, cancellationToken);
        }
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        var ack = Interlocked.Read(ref firstAckAfterKill);
        if (ack == long.MaxValue)
        {
            throw new TimeoutException($"{cluster.Name}: no put was acknowledged within 30 s of killing its leader.");
        }
        return Stopwatch.GetElapsedTime(killedAt, ack);
    }

    private static void InterlockedMin(ref long location, long value)
    {
        long current;
        while (value < (current = Interlocked.Read(ref location)) &&
               Interlocked.CompareExchange(ref location, value, current) != current)
        {
        }
    }
}
