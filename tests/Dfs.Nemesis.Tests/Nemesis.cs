using System.Diagnostics;
using Dfs.Testing.Processes;

namespace Dfs.Nemesis.Tests;

/// <summary>
/// Injects seeded faults into a <see cref="NamespacedDfsCluster"/>, one at a time, and logs each with its time:
/// the same seed makes the same choices (the timing of the cluster's answers is not seeded).
/// </summary>
public sealed class Nemesis(NamespacedDfsCluster cluster, int seed, Action<string> log)
{
    private readonly Random _random = new(seed);
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly Dictionary<FaultKind, int> _counts = [];

    /// <summary>Each fault with its time, as printed.</summary>
    public List<string> Faults { get; } = [];

    public IReadOnlyDictionary<FaultKind, int> Counts => _counts;

    /// <summary>Injects faults until <paramref name="stop"/>; always leaves every node running, linked and with free disk.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var kinds = Enum.GetValues<FaultKind>();
        while (!stop.IsCancellationRequested)
        {
            await Delay(1000, 2500, stop);
            if (stop.IsCancellationRequested)
            {
                break;
            }

            var kind = kinds[_random.Next(kinds.Length)];
            await InjectAsync(kind);
            _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            try
            {
                await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
            }
            catch (Dfs.Testing.WaitTimeoutException e)
            {
                Log($"no single leader 30 s after healing {kind}: {e.Message.Split('\n')[0]}");
            }
        }
    }

    private async Task InjectAsync(FaultKind kind)
    {
        switch (kind)
        {
            case FaultKind.KillMaster:
            case FaultKind.KillChunkServer:
                {
                    var node = Pick(kind == FaultKind.KillMaster ? cluster.MasterIds : cluster.ChunkServerIds);
                    Log($"SIGKILL {node}");
                    await cluster.KillAsync(node);
                    await Delay(500, 3000);
                    await cluster.RestartAsync(node);
                    Log($"restarted {node}");
                    break;
                }

            case FaultKind.Pause:
                {
                    var node = Pick([.. cluster.MasterIds, .. cluster.ChunkServerIds]);
                    var ms = _random.Next(1500, 4000);
                    Log($"SIGSTOP {node} for {ms} ms");
                    cluster.Process(node).Pause();
                    await Task.Delay(ms);
                    cluster.Process(node).Resume();
                    Log($"SIGCONT {node}");
                    break;
                }

            case FaultKind.Partition:
                {
                    var node = Pick(cluster.MasterIds);
                    var ms = _random.Next(2000, 5000);
                    Log($"partition {node} from everyone for {ms} ms (link down)");
                    cluster.Network.Cut(node);
                    try
                    {
                        await Task.Delay(ms);
                    }
                    finally
                    {
                        cluster.Network.Heal(node);
                    }

                    Log($"healed {node}");
                    break;
                }

            case FaultKind.CorruptReplica:
                {
                    var node = Pick(cluster.ChunkServerIds);
                    var chunks = Path.Combine(cluster.DataDirectory(node), "chunks");
                    var files = Directory.Exists(chunks) ? Directory.GetFiles(chunks, "*.data").Order(StringComparer.Ordinal).ToArray() : [];
                    if (files.Length == 0)
                    {
                        Log($"corrupt: {node} holds no chunk yet");
                        break;
                    }

                    // One of the newest replicas: most likely a file's current content, which clients still read.
                    var newest = files.OrderByDescending(File.GetLastWriteTimeUtc).ThenBy(f => f, StringComparer.Ordinal).Take(5).ToArray();
                    var file = newest[_random.Next(newest.Length)];
                    try
                    {
                        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
                        if (stream.Length == 0)
                        {
                            Log($"corrupt: {Path.GetFileName(file)} on {node} is empty");
                            break;
                        }

                        var flips = new List<long>();
                        for (var i = 0; i < 4; i++)
                        {
                            var at = _random.NextInt64(stream.Length);
                            stream.Position = at;
                            var b = stream.ReadByte();
                            stream.Position = at;
                            stream.WriteByte((byte)(b ^ 0xFF));
                            flips.Add(at);
                        }

                        Log($"corrupted {Path.GetFileName(file)} on {node}: flipped bytes at {string.Join(", ", flips)} of {stream.Length}");
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        Log($"corrupt: {Path.GetFileName(file)} on {node} went away ({e.GetType().Name})");
                    }

                    break;
                }

            case FaultKind.FillDisk:
                {
                    var node = Pick(cluster.ChunkServerIds);
                    var filler = Path.Combine(cluster.DataDirectory(node), "nemesis-filler");
                    var written = Fill(filler);
                    var ms = _random.Next(2000, 5000);
                    Log($"filled {node}'s disk ({written} bytes) for {ms} ms");
                    try
                    {
                        await Task.Delay(ms);
                    }
                    finally
                    {
                        File.Delete(filler);
                    }

                    Log($"freed {node}'s disk");
                    break;
                }

            case FaultKind.TearLog:
                {
                    var node = Pick(cluster.MasterIds);
                    Log($"SIGKILL {node} to tear its log");
                    await cluster.KillAsync(node);
                    var segment = Directory.EnumerateFiles(cluster.DataDirectory(node), "*.log", SearchOption.AllDirectories)
                        .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).LastOrDefault();
                    if (segment is not null && new FileInfo(segment).Length > 0)
                    {
                        var length = new FileInfo(segment).Length;
                        // A few bytes: shorter than any record, so the cut lands inside the last one.
                        var cut = Math.Min(length, _random.Next(1, 9));
                        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.Write))
                        {
                            stream.SetLength(length - cut);
                        }

                        Log($"tore {Path.GetFileName(segment)} of {node}: cut {cut} of {length} bytes");
                    }
                    else
                    {
                        Log($"tear: {node} has no log segment yet");
                    }

                    await cluster.RestartAsync(node);
                    var cutLine = cluster.Process(node).GetLogLines().FirstOrDefault(l => l.Contains("Cut the tail of Raft log segment", StringComparison.Ordinal));
                    Log($"restarted {node}" + (cutLine is null ? "" : $"; it says: {cutLine.Trim()}"));
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Writes zeros until the file system says no more.</summary>
    private static long Fill(string path)
    {
        var block = new byte[1 << 20];
        long written = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        try
        {
            while (true)
            {
                stream.Write(block);
                written += block.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: full. Top up with small writes so not even a block is left.
            var small = new byte[4096];
            while (true)
            {
                try
                {
                    stream.Write(small);
                    stream.Flush();
                    written += small.Length;
                }
                catch (IOException)
                {
                    break;
                }
            }
        }

        return written;
    }

    private string Pick(IReadOnlyList<string> nodes) => nodes[_random.Next(nodes.Count)];

    private Task Delay(int minMs, int maxMs, CancellationToken cancellationToken = default) =>
        Task.Delay(_random.Next(minMs, maxMs), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);

    private void Log(string what)
    {
        var line = $"[{Stopwatch.GetElapsedTime(_origin).TotalSeconds,8:F2} s | t={Stopwatch.GetTimestamp()}] {what}";
        Faults.Add(line);
        log(line);
    }
}
