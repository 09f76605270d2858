using System.Diagnostics;
using System.Globalization;
using Dfs.ChunkServer.Client;
using Dfs.ChunkServer.Protocol;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;

namespace Dfs.Bench;

/// <summary>
/// <c>chunk-pipeline [--total-mib 1024] [--chunk-mib 64] [--rounds 2] [--dir PATH] [--window N] [--disk-queue N] [--fsync-packets N]</c>: a 3-replica write
/// pipeline of in-process chunk servers on loopback over FileChunkStores in three folders, beside the
/// machine's own limit measured in the same run; then chunk reads beside plain page-cache reads.
/// </summary>
/// <remarks>
/// Write reference: the same bytes written three times, to three files concurrently (one per folder), with an
/// fsync at the end of each chunk: what three replicas on this disk cost without any network or protocol.
/// Read reference: the same number of bytes read with a plain FileStream from a file in the page cache.
/// BenchmarkDotNet's repetition does not suit a 1 GiB fsynced workload, so this is a load generator.
/// </remarks>
internal static class ChunkPipelineLoad
{
    private const int IoBlock = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var totalMiB = IntArg(args, "--total-mib", 1024);
        var chunkMiB = IntArg(args, "--chunk-mib", 64);
        var rounds = IntArg(args, "--rounds", 2);
        var window = IntArg(args, "--window", new ChunkWriteOptions().WindowPackets);
        var serverOptions = new ChunkServerOptions
        {
            DiskQueuePackets = IntArg(args, "--disk-queue", new ChunkServerOptions().DiskQueuePackets),
            PacketsPerFsync = IntArg(args, "--fsync-packets", new ChunkServerOptions().PacketsPerFsync),
        };
        var root = Path.Combine(StringArg(args, "--dir") ?? Path.GetTempPath(), $"dfs-chunk-bench-{Environment.ProcessId}");
        var chunkBytes = chunkMiB * 1024L * 1024;
        var chunks = (int)(totalMiB * 1024L * 1024 / chunkBytes);
        var totalBytes = chunks * chunkBytes;
        var payload = new byte[chunkBytes];
        new Random(1).NextBytes(payload);
        Console.WriteLine($"chunk-pipeline: {chunks} chunks of {chunkMiB} MiB ({totalBytes / (1024 * 1024)} MiB), 3 replicas, {rounds} round(s), window {window} packets, server disk queue {serverOptions.DiskQueuePackets} packets, fsync every {serverOptions.PacketsPerFsync} packets or when idle, data under {root}");

        var folders = Enumerable.Range(1, 3).Select(i => Path.Combine(root, $"c{i}")).ToArray();
        var stores = folders.Select(f => new FileChunkStore(new FileChunkStoreOptions { RootPath = f })).ToArray();
        var hosts = new List<ChunkServerHost>();
        try
        {
            foreach (var store in stores)
            {
                hosts.Add(await ChunkServerHost.StartAsync(store, serverOptions));
            }
            var chain = hosts.Select(h => h.Endpoint).ToArray();
            var writer = new ChunkWriteClient(new ChunkWriteOptions { WindowPackets = window });
            var reader = new ChunkReadClient();
            var best = new Figures();
            ulong nextId = 1;

            // A short unmeasured write and read first, so the measured rounds run tiered-up code.
            var warmUp = new ChunkId(nextId++);
            await writer.WriteAsync(warmUp, 1, chain, new MemoryStream(payload, 0, Math.Min(payload.Length, 16 * 1024 * 1024), writable: false), CancellationToken.None);
            for (var i = 0; i < 4; i++)
            {
                await reader.ReadAsync(warmUp, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
            }
            foreach (var store in stores)
            {
                store.Delete(warmUp);
            }

            for (var round = 1; round <= rounds; round++)
            {
                var gib = totalBytes / (1024.0 * 1024 * 1024);
                var ids = new List<ChunkId>();
                async Task<(TimeSpan Elapsed, TimeSpan Cpu)> Reference()
                {
                    var before = CpuTime();
                    var elapsed = await MeasureAsync(() => ReferenceWriteAsync(folders, payload, chunks));
                    return (elapsed, CpuTime() - before);
                }
                async Task<(TimeSpan Elapsed, TimeSpan Cpu)> Pipeline()
                {
                    var before = CpuTime();
                    var elapsed = await MeasureAsync(async () =>
                    {
                        for (var i = 0; i < chunks; i++)
                        {
                            var id = new ChunkId(nextId++);
                            ids.Add(id);
                            await writer.WriteAsync(id, 1, chain, new MemoryStream(payload, writable: false), CancellationToken.None);
                        }
                    });
                    return (elapsed, CpuTime() - before);
                }
                // Whichever writes first after the previous round's deletes gets page-cache pages the guest still
                // holds; the next one gets pages the hypervisor has reclaimed meanwhile (free page reporting) and
                // pays for faulting them in. Alternating the order gives each side the same conditions over two rounds.
                var referenceFirst = round % 2 == 1;
                (TimeSpan Elapsed, TimeSpan Cpu) reference, pipeline;
                if (referenceFirst)
                {
                    reference = await Reference();
                    pipeline = await Pipeline();
                }
                else
                {
                    pipeline = await Pipeline();
                    reference = await Reference();
                }
                var (referenceWrite, referenceWriteCpu) = reference;
                var (pipelineWrite, writeCpu) = pipeline;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round} ({(referenceFirst ? "reference written first" : "pipeline written first")}): pipeline write used {writeCpu.TotalSeconds:F1} s of CPU in {pipelineWrite.TotalSeconds:F1} s ({writeCpu.TotalSeconds / pipelineWrite.TotalSeconds:F2} cores busy; machine load average {LoadAverage()}); " +
                    $"CPU-s per GiB: pipeline write {writeCpu.TotalSeconds / gib:F1}, reference write {referenceWriteCpu.TotalSeconds / gib:F1}"));
                var cpu = CpuTime();
                var referenceRead = await MeasureAsync(() => ReferenceReadAsync(Path.Combine(folders[0], "reference.bin"), totalBytes));
                var referenceReadCpu = CpuTime() - cpu;
                cpu = CpuTime();
                var chunkRead = await MeasureAsync(async () =>
                {
                    foreach (var id in ids)
                    {
                        await reader.ReadAsync(id, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
                    }
                });
                var readCpu = CpuTime() - cpu;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: CPU-s per GiB: chunk read {readCpu.TotalSeconds / gib:F2}, reference read {referenceReadCpu.TotalSeconds / gib:F2}"));
                var figures = new Figures(
                    Rate(totalBytes, pipelineWrite), Rate(totalBytes, referenceWrite),
                    Rate(totalBytes, chunkRead), Rate(totalBytes, referenceRead));
                Print($"round {round}", figures);
                best = best.Max(figures);

                foreach (var id in ids)
                {
                    foreach (var store in stores)
                    {
                        store.Delete(id);
                    }
                }
                foreach (var folder in folders)
                {
                    File.Delete(Path.Combine(folder, "reference.bin"));
                }
            }
            Print("best", best);
            return 0;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
            foreach (var store in stores)
            {
                store.Dispose();
            }
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Three files written concurrently with the chunk bytes, fsynced at the end of every chunk.</summary>
    private static Task ReferenceWriteAsync(string[] folders, byte[] payload, int chunks) =>
        Task.WhenAll(folders.Select(folder => Task.Run(async () =>
        {
            Directory.CreateDirectory(folder);
            await using var file = new FileStream(Path.Combine(folder, "reference.bin"), FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                for (var offset = 0; offset < payload.Length; offset += IoBlock)
                {
                    await file.WriteAsync(payload.AsMemory(offset, Math.Min(IoBlock, payload.Length - offset)));
                }
                file.Flush(flushToDisk: true);
            }
        })));

    /// <summary>The same number of bytes read from a file that is in the page cache (it was just written and read once).</summary>
    private static async Task ReferenceReadAsync(string path, long totalBytes)
    {
        var buffer = new byte[IoBlock];
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
        long read = 0;
        int n;
        while (read < totalBytes && (n = await file.ReadAsync(buffer)) > 0)
        {
            read += n;
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static async Task<TimeSpan> MeasureAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static double Rate(long bytes, TimeSpan elapsed) => bytes / (1024.0 * 1024.0) / elapsed.TotalSeconds;

    private static void Print(string label, Figures f) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label}: write pipeline {f.PipelineWrite:F0} MB/s vs 3x fsynced files {f.ReferenceWrite:F0} MB/s = {f.PipelineWrite / f.ReferenceWrite:P0}; " +
        $"read chunk {f.ChunkRead:F0} MB/s vs page-cache FileStream {f.ReferenceRead:F0} MB/s = {f.ChunkRead / f.ReferenceRead:P0}"));

    private static int IntArg(string[] args, string name, int fallback) =>
        StringArg(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringArg(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>One round's rates in MiB/s.</summary>
    private readonly record struct Figures(double PipelineWrite, double ReferenceWrite, double ChunkRead, double ReferenceRead)
    {
        public Figures Max(Figures other) => new(
            Math.Max(PipelineWrite, other.PipelineWrite), Math.Max(ReferenceWrite, other.ReferenceWrite),
            Math.Max(ChunkRead, other.ChunkRead), Math.Max(ReferenceRead, other.ReferenceRead));
    }
}
