using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dfs.Common.Configuration;

namespace Dfs.Bench.Load;

/// <summary>
/// <c>Dfs.Bench kv-memory --clusters dfs,dotnext,etcd</c>: the resident memory a running three-member cluster's
/// leader holds per key. Each system in turn is started on loopback, its leader's memory is read idle, the same keys
/// and values as the in-process measurement (100-byte keys, 256-byte values, one million by default) are put through
/// its HTTP API from many keep-alive connections, and the leader's memory is read again once the load has settled.
/// </summary>
/// <remarks>
/// VmRSS counts file-backed pages a process has mapped (DotNext's log is memory-mapped), so the anonymous and
/// file-backed parts are printed apart: RssAnon is what the state costs in memory, RssFile the log's pages the kernel
/// can drop and reread.
/// </remarks>
public static class KvMemoryClusterLoad
{
    private const int KeyBytes = 100;
    private const int ValueBytes = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        string[] systems = ["dfs", "dotnext", "etcd"];
        var keys = 1_000_000;
        var connections = 64;
        var settleSeconds = 10;
        var electionTimeoutMs = 200;
        string? etcdScript = ProcessTools.FindUpwards(Path.Combine("shared", "peers", "etcd-cluster.sh"))
            ?? ProcessTools.FindUpwards(Path.Combine("..", "shared", "peers", "etcd-cluster.sh"));
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--clusters": systems = Next().Split(','); break;
                case "--keys": keys = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--settle-seconds": settleSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--etcd-script": etcdScript = Path.GetFullPath(Next()); break;
                // Memory does not depend on it; a longer timeout keeps a leader on a starved machine.
                case "--election-timeout-ms": electionTimeoutMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --clusters dfs,dotnext,etcd --keys 1000000 --connections 64 --settle-seconds 10 --election-timeout-ms 200 --etcd-script PATH");
            }
        }
        if (keys < 1 || connections < 1 || keys % connections != 0)
        {
            throw new ArgumentException("--keys must be a positive multiple of --connections.");
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var scratch = Path.Combine(Path.GetTempPath(), $"dfs-kv-memory-{Environment.ProcessId}");
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# kv-memory: {keys:N0} keys of {KeyBytes} bytes with {ValueBytes}-byte values, put over HTTP from {connections} connections, election timeout {electionTimeoutMs} ms; the leader's memory, {settleSeconds} s after the load");
        report.AppendLine();
        report.AppendLine("| system | load puts/s | VmRSS idle MiB | VmRSS loaded MiB | RssAnon loaded MiB | RssFile+RssShmem loaded MiB | VmRSS delta per key | RssAnon delta per key | followers VmRSS MiB |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var system in systems)
        {
            await using IKvCluster cluster = system switch
            {
                "dfs" => new DfsKvCluster(Path.Combine(scratch, "dfs"), electionTimeoutMs: electionTimeoutMs),
                "dotnext" => new DfsKvCluster(Path.Combine(scratch, "dotnext"), ConsensusBackends.DotNext, raftPortBase: 17201, apiPortBase: 17301, electionTimeoutMs: electionTimeoutMs),
                "etcd" => new EtcdKvCluster(etcdScript ?? throw new InvalidOperationException(
                    "Cannot find peers/etcd-cluster.sh; pass --etcd-script PATH."), Path.Combine(scratch, "etcd")),
                _ => throw new ArgumentException($"Unknown system '{system}'; use dfs, dotnext or etcd."),
            };
            Console.WriteLine($"== {system}: starting");
            await cluster.StartAsync(cancel.Token);
            var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancel.Token);
            await Task.Delay(TimeSpan.FromSeconds(settleSeconds), cancel.Token);
            var pids = Pids(cluster);
            var idle = Memory(pids[leader]);
            Console.WriteLine($"   leader m{leader + 1}: idle {Mib(idle.Rss)} MiB; loading {keys:N0} keys");

            var clock = Stopwatch.StartNew();
            await LoadAsync(cluster, cluster.Endpoints[leader], keys, connections, cancel.Token);
            clock.Stop();
            var rate = keys / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"   loaded in {clock.Elapsed.TotalSeconds:F0} s ({rate:F0} puts/s); settling {settleSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(settleSeconds), cancel.Token);
            var loaded = Memory(pids[leader]);
            var followers = Enumerable.Range(0, pids.Count).Where(m => m != leader).Select(m => Mib(Memory(pids[m]).Rss));
            var line = FormattableString.Invariant(
                $"| {system} | {rate:F0} | {Mib(idle.Rss)} | {Mib(loaded.Rss)} | {Mib(loaded.Anon)} | {Mib(loaded.File)} | {(double)(loaded.Rss - idle.Rss) / keys:F0} B | {(double)(loaded.Anon - idle.Anon) / keys:F0} B | {string.Join(", ", followers)} |");
            Console.WriteLine(line);
            report.AppendLine(line);
        }
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Raw key + value bytes per key: {KeyBytes + ValueBytes}.");

        Console.WriteLine();
        Console.WriteLine(report);
        var reportPath = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", $"kv-memory-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        await File.WriteAllTextAsync(reportPath, report.ToString());
        Console.WriteLine($"Report written to {reportPath}");
        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (IOException)
        {
            // A member still closing its files; the scratch folder is in the temp directory.
        }
        return 0;
    }

    /// <summary>Puts keys 0..count-1 from <paramref name="connections"/> workers; a failed put is retried (after following a redirect) until acknowledged.</summary>
    private static async Task LoadAsync(IKvCluster cluster, Endpoint leader, int count, int connections, CancellationToken cancellationToken)
    {
        var value = new byte[ValueBytes];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        var perWorker = count / connections;
        long done = 0;
        var progress = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var protocol = cluster.NewProtocol();
            var request = new ArrayBufferWriter<byte>(1024);
            var key = new byte[KeyBytes];
            var target = leader;
            RawHttpConnection? connection = null;
            try
            {
                for (var i = 0; i < perWorker && !cancellationToken.IsCancellationRequested; i++)
                {
                    // Scattered insertion order across workers, as in the in-process measurement.
                    FillKey(key, (long)(worker * perWorker + i) * 1_000_003 % count);
                    for (var attempt = 0; ; attempt++)
                    {
                        request.ResetWrittenCount();
                        protocol.WritePut(request, target.HostHeader, key, value);
                        try
                        {
                            connection ??= await RawHttpConnection.OpenAsync(target.Host, target.Port, cancellationToken);
                            var reply = await connection.SendAsync(request.WrittenMemory, cancellationToken);
                            if (protocol.IsSuccess(reply, isGet: false))
                            {
                                break;
                            }
                            connection.Dispose();
                            connection = null;
                            // Leadership moved: follow the redirect, or, while no leader is known, try the next member.
                            target = reply.Location is { } location && Uri.TryCreate(location, UriKind.Absolute, out var moved)
                                ? new Endpoint(moved.Host, moved.Port)
                                : Next(cluster, target);
                        }
                        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                        {
                            connection?.Dispose();
                            connection = null;
                            target = Next(cluster, target);
                        }
                        if (attempt >= 3000)
                        {
                            throw new InvalidOperationException($"A put failed for a minute (last tried {target}); the cluster has no working leader.");
                        }
                        await Task.Delay(20, cancellationToken);
                    }
                    if (Interlocked.Increment(ref done) % 100_000 == 0)
                    {
                        Console.WriteLine($"   {Volatile.Read(ref done):N0} keys, {progress.Elapsed.TotalSeconds:F0} s");
                    }
                }
            }
            finally
            {
                connection?.Dispose();
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
    }

    private static Endpoint Next(IKvCluster cluster, Endpoint current)
    {
        var endpoints = cluster.Endpoints;
        var index = endpoints.ToList().IndexOf(current);
        return endpoints[(index + 1) % endpoints.Count];
    }

    private static void FillKey(byte[] key, long id)
    {
        // URL-safe: the key travels in the request path for Dfs.
        key.AsSpan().Fill((byte)'x');
        Encoding.ASCII.GetBytes($"dfs-files-{id:D12}-", key);
    }

    private static IReadOnlyList<int> Pids(IKvCluster cluster) => cluster switch
    {
        DfsKvCluster dfs => dfs.ProcessIds(),
        EtcdKvCluster etcd => Enumerable.Range(0, 3).Select(etcd.ProcessId).ToArray(),
        _ => throw new NotSupportedException(cluster.Name),
    };

    private static long Mib(long bytes) => bytes / (1024 * 1024);

    /// <summary>VmRSS, RssAnon and RssFile (+ RssShmem) of a process, in bytes, from /proc.</summary>
    private static (long Rss, long Anon, long File) Memory(int pid)
    {
        long rss = 0, anon = 0, file = 0;
        foreach (var line in System.IO.File.ReadLines($"/proc/{pid}/status"))
        {
            long Kb() => long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb();
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kb();
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal) || line.StartsWith("RssShmem:", StringComparison.Ordinal))
            {
                file += Kb();
            }
        }
        return (rss, anon, file);
    }
}
