using System.Diagnostics;
using System.Runtime;
using System.Text;
using Dfs.Client.Kv;
using Dfs.Raft.Kv;

namespace Dfs.Bench;

/// <summary>
/// Loads one million keys (100-byte keys, 256-byte values) into a <see cref="KvStateMachine"/> through Apply and
/// prints the managed heap and process RSS per key beside the raw key+value bytes.
/// Run: <c>dotnet run -c Release --project Dfs.Bench -- kv-memory [keyCount]</c>; with <c>--clusters dfs,dotnext,etcd</c>
/// it measures running three-member clusters of each instead (<see cref="Load.KvMemoryClusterLoad"/>).
/// </summary>
public static class KvMemoryFootprint
{
    private const int KeyBytes = 100;
    private const int ValueBytes = 256;

    public static int Run(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : 1_000_000;
        var (heapBefore, rssBefore) = Measure();

        using var machine = new KvStateMachine();
        var key = new byte[KeyBytes];
        var value = new byte[ValueBytes];
        var buffer = new byte[KeyBytes + ValueBytes + 64];
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            // Scattered insertion order (a permutation of 0..count-1), as live traffic would arrive.
            var id = (long)i * 1_000_003 % count;
            FillKey(key, id);
            value.AsSpan().Fill((byte)('a' + (i % 26)));
            var length = KvCommandCodec.Encode(KvCommand.Put(key, value), buffer);
            machine.Apply(i + 1, timestampMs: i, buffer.AsSpan(0, length));
        }
        stopwatch.Stop();
        if (machine.Count != count)
        {
            Console.Error.WriteLine($"Expected {count} keys after loading, found {machine.Count}.");
            return 1;
        }

        var (heapAfter, rssAfter) = Measure();
        GC.KeepAlive(machine);
        const double raw = KeyBytes + ValueBytes;
        Console.WriteLine($"keys loaded                 : {count:N0} in {stopwatch.Elapsed.TotalSeconds:F1} s ({count / stopwatch.Elapsed.TotalSeconds:N0} applies/s)");
        Console.WriteLine($"raw key+value bytes per key : {raw:F0}");
        Console.WriteLine($"managed heap per key        : {(double)(heapAfter - heapBefore) / count:F1} bytes ({(heapAfter - heapBefore) / count / raw:F2} x raw)");
        Console.WriteLine($"process RSS per key (delta) : {(double)(rssAfter - rssBefore) / count:F1} bytes ({(rssAfter - rssBefore) / count / raw:F2} x raw)");
        Console.WriteLine($"process RSS per key (total) : {(double)rssAfter / count:F1} bytes ({rssAfter / count / raw:F2} x raw)");
        Console.WriteLine($"process RSS before / after  : {rssBefore / 1048576.0:F1} MiB / {rssAfter / 1048576.0:F1} MiB");
        return 0;
    }

    private static void FillKey(byte[] key, long id)
    {
        key.AsSpan().Fill((byte)'x');
        var prefix = Encoding.ASCII.GetBytes($"/dfs/files/{id:D12}/");
        prefix.CopyTo(key, 0);
    }

    private static (long Heap, long Rss) Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (heap, Environment.WorkingSet);
    }
}
