using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Dfs.Bench.Load;

/// <summary>
/// Runs a fixed-duration phase of puts or gets from N concurrent keep-alive connections against one
/// endpoint, recording every operation's latency.
/// </summary>
public sealed class KvLoadRunner(Func<KvProtocol> protocolFactory, Endpoint endpoint, int valueSize)
{
    private readonly byte[] _value = MakeValue(valueSize);

    /// <summary>Puts to distinct keys for <paramref name="duration"/>; returns the summary and, per worker, how many keys it wrote.</summary>
    public async Task<(LatencySummary Summary, int[] KeysWritten)> RunPutsAsync(string runId, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        var written = new int[connections];
        var summary = await RunAsync(connections, duration, isGet: false, (worker, target, protocol, request, i) =>
        {
            protocol.WritePut(request, target.HostHeader, Key(runId, worker, i), _value);
            written[worker] = i + 1;
        }, cancellationToken);
        return (summary, written);
    }

    /// <summary>Linearizable gets of keys written by the put phase of the same run.</summary>
    public Task<LatencySummary> RunGetsAsync(string runId, int[] keysWritten, TimeSpan duration, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        return RunAsync(keysWritten.Length, duration, isGet: true, (worker, target, protocol, request, i) =>
        {
            var count = Math.Max(1, keysWritten[worker]);
            int pick;
            lock (random)
            {
                pick = random.Next(count);
            }
            protocol.WriteGet(request, target.HostHeader, Key(runId, worker, pick));
        }, cancellationToken);
    }

    private async Task<LatencySummary> RunAsync(int connections, TimeSpan duration, bool isGet,
        Action<int, Endpoint, KvProtocol, ArrayBufferWriter<byte>, int> writeRequest, CancellationToken cancellationToken)
    {
        var samples = Enumerable.Range(0, connections).Select(_ => new List<long>(1 << 16)).ToArray();
        long errors = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var protocol = protocolFactory();
            var request = new ArrayBufferWriter<byte>(1024);
            var target = endpoint;
            RawHttpConnection? connection = null;
            var mine = samples[worker];
            try
            {
                for (var i = 0; Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; i++)
                {
                    request.ResetWrittenCount();
                    writeRequest(worker, target, protocol, request, i);
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        connection ??= await RawHttpConnection.OpenAsync(target.Host, target.Port, cancellationToken);
                        var reply = await connection.SendAsync(request.WrittenMemory, cancellationToken);
                        if (protocol.IsSuccess(reply, isGet))
                        {
                            mine.Add(Stopwatch.GetTimestamp() - started);
                        }
                        else
                        {
                            Interlocked.Increment(ref errors);
                            if (reply.Location is { } location && Uri.TryCreate(location, UriKind.Absolute, out var leader))
                            {
                                // Leadership moved: follow the redirect, as a client would.
                                target = new Endpoint(leader.Host, leader.Port);
                                connection.Dispose();
                                connection = null;
                            }
                        }
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                    {
                        Interlocked.Increment(ref errors);
                        connection?.Dispose();
                        connection = null;
                    }
                }
            }
            finally
            {
                connection?.Dispose();
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / clock.Elapsed.TotalMilliseconds / Environment.ProcessorCount * 100;
        return LatencySummary.From(samples, errors, clock.Elapsed, cpu);
    }

    internal static byte[] Key(string runId, int worker, int sequence) =>
        Encoding.ASCII.GetBytes($"bench-{runId}-{worker:x3}-{sequence:x8}");

    private static byte[] MakeValue(int size)
    {
        var value = new byte[size];
        new Random(7).NextBytes(value);
        // Printable bytes keep the value valid in any text-minded layer while staying incompressible enough.
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + value[i] % 26);
        }
        return value;
    }
}

/// <summary>A host and port, and the Host header to send to it.</summary>
public sealed record Endpoint(string Host, int Port)
{
    public string HostHeader => $"{Host}:{Port}";

    public Uri BaseUri => new($"http://{Host}:{Port}/");

    public override string ToString() => HostHeader;
}
