using System.Diagnostics;
using System.Globalization;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;

namespace Dfs.Bench;

/// <summary>
/// <c>chunk-pipeline [--total-mib 1024] [--chunk-mib 64] [--rounds 2] [--dir PATH] [--window N] [--disk-queue N] [--fsync-packets N] [--local-read-kib N]</c>: a 3-replica write
/// pipeline of in-process chunk servers on loopback over FileChunkStores in three folders, beside the
/// machine's own limit measured in the same run; then chunk reads beside plain page-cache reads.
/// </summary>
/// <remarks>
/// Write reference: the same bytes written three times, to three files concurrently (one per folder), with an
/// fsync at the end of each chunk: what three replicas on this disk cost without any network or protocol.
/// Read reference: the same number of bytes read with a plain FileStream from a file in the page cache. Chunks are
/// read twice: by the default client (short-circuit from the local file, every block verified) and over TCP.
/// The sides take turns chunk by chunk, so each meets the same machine state; each round prints its ratios and
/// the last line their medians. BenchmarkDotNet's repetition does not suit a 1 GiB fsynced workload, so this is
/// a load generator.
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
        var root = Path.Combine(BenchArgs.Text(args, "--dir") ?? Path.GetTempPath(), $"dfs-chunk-bench-{Environment.ProcessId}");
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
            var reader = new ChunkReadClient(new ChunkReadOptions { LocalReadBytes = IntArg(args, "--local-read-kib", new ChunkReadOptions().LocalReadBytes / 1024) * 1024 });
            var networkReader = new ChunkReadClient(new ChunkReadOptions { ShortCircuitLocalReads = false });
            var all = new List<Figures>();
            ulong nextId = 1;

            // A short unmeasured write and read first, so the measured rounds run tiered-up code.
            var warmUp = new ChunkId(nextId++);
            await writer.WriteAsync(warmUp, 1, chain, new MemoryStream(payload, 0, Math.Min(payload.Length, 16 * 1024 * 1024), writable: false), CancellationToken.None);
            for (var i = 0; i < 4; i++)
            {
                await reader.ReadAsync(warmUp, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
                await networkReader.ReadAsync(warmUp, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
            }
            foreach (var store in stores)
            {
                store.Delete(warmUp);
            }

            for (var round = 1; round <= rounds; round++)
            {
                var gib = totalBytes / (1024.0 * 1024 * 1024);
                var ids = new List<ChunkId>();
                var pipeline = new Measured();
                var reference = new Measured();
                var referenceFiles = folders.Select(folder => new FileStream(Path.Combine(folder, "reference.bin"), FileMode.Create,
                    FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.Asynchronous)).ToArray();
                try
                {
                    // Chunk by chunk, the two writers take turns, and who goes first alternates: on this VM a page the
                    // guest just freed is cheap to reuse and a page the hypervisor reclaimed is dear, so writing all
                    // of one and then all of the other would hand one of them the cheap pages.
                    for (var i = 0; i < chunks; i++)
                    {
                        var id = new ChunkId(nextId++);
                        ids.Add(id);
                        Func<Task> pipelineChunk = () => writer.WriteAsync(id, 1, chain, new MemoryStream(payload, writable: false), CancellationToken.None);
                        Func<Task> referenceChunk = () => ReferenceWriteChunkAsync(referenceFiles, payload);
                        if (i % 2 == 0)
                        {
                            await reference.AddAsync(referenceChunk);
                            await pipeline.AddAsync(pipelineChunk);
                        }
                        else
                        {
                            await pipeline.AddAsync(pipelineChunk);
                            await reference.AddAsync(referenceChunk);
                        }
                    }
                }
                finally
                {
                    foreach (var file in referenceFiles)
                    {
                        await file.DisposeAsync();
                    }
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: write CPU-s per GiB: pipeline {pipeline.Cpu.TotalSeconds / gib:F1}, reference {reference.Cpu.TotalSeconds / gib:F1} (machine load average {LoadAverage()})"));

                // Reads the same way: a chunk's bytes from the reference file, then by the two chunk readers, in turns.
                var localRead = new Measured();
                var networkRead = new Measured();
                var referenceRead = new Measured();
                var localBefore = reader.LocalBytesRead;
                var readBuffer = new byte[IoBlock];
                await using (var referenceFile = new FileStream(Path.Combine(folders[0], "reference.bin"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous))
                {
                    for (var i = 0; i < chunks; i++)
                    {
                        var id = ids[i];
                        var offset = i * chunkBytes;
                        var turns = new (Measured Into, Func<Task> Read)[]
                        {
                            (referenceRead, () => ReferenceReadChunkAsync(referenceFile, readBuffer, offset, chunkBytes)),
                            (localRead, () => reader.ReadAsync(id, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None)),
                            (networkRead, () => networkReader.ReadAsync(id, 1, 0, -1, [chain[0]], static (_, _) => ValueTask.CompletedTask, CancellationToken.None)),
                        };
                        for (var turn = 0; turn < turns.Length; turn++)
                        {
                            var (into, read) = turns[(i + turn) % turns.Length];
                            await into.AddAsync(read);
                        }
                    }
                }
                var localBytes = reader.LocalBytesRead - localBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: read CPU-s per GiB: chunk read {localRead.Cpu.TotalSeconds / gib:F2} ({localBytes * 100.0 / totalBytes:F0}% of its bytes short-circuit from the local file), " +
                    $"chunk read over TCP {networkRead.Cpu.TotalSeconds / gib:F2}, reference {referenceRead.Cpu.TotalSeconds / gib:F2}"));
                var figures = new Figures(
                    Rate(totalBytes, pipeline.Elapsed), Rate(totalBytes, reference.Elapsed),
                    Rate(totalBytes, localRead.Elapsed), Rate(totalBytes, networkRead.Elapsed), Rate(totalBytes, referenceRead.Elapsed));
                Print($"round {round}", figures);
                all.Add(figures);

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
            Print("median", Figures.Median(all));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median of the {all.Count} rounds' ratios: write {Medians.Of(all.Select(f => f.PipelineWrite / f.ReferenceWrite)):P0}, " +
                $"chunk read {Medians.Of(all.Select(f => f.ChunkRead / f.ReferenceRead)):P0}, over TCP {Medians.Of(all.Select(f => f.NetworkRead / f.ReferenceRead)):P0}"));
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

    /// <summary>One chunk's bytes appended to each of three files concurrently, each file fsynced at the end.</summary>
    private static Task ReferenceWriteChunkAsync(FileStream[] files, byte[] payload) =>
        Task.WhenAll(files.Select(file => Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += IoBlock)
            {
                await file.WriteAsync(payload.AsMemory(offset, Math.Min(IoBlock, payload.Length - offset)));
            }
            file.Flush(flushToDisk: true);
        })));

    /// <summary>One chunk's worth of bytes read from a file in the page cache (it was just written).</summary>
    private static async Task ReferenceReadChunkAsync(FileStream file, byte[] buffer, long offset, long length)
    {
        file.Position = offset;
        long read = 0;
        int n;
        while (read < length && (n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - read)))) > 0)
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

    /// <summary>Wall-clock and process CPU time summed over the pieces of one side of a comparison.</summary>
    private sealed class Measured
    {
        public TimeSpan Elapsed { get; private set; }

        public TimeSpan Cpu { get; private set; }

        public async Task AddAsync(Func<Task> action)
        {
            var cpu = CpuTime();
            var started = Stopwatch.GetTimestamp();
            await action();
            Elapsed += Stopwatch.GetElapsedTime(started);
            Cpu += CpuTime() - cpu;
        }
    }

    private static double Rate(long bytes, TimeSpan elapsed) => bytes / (1024.0 * 1024.0) / elapsed.TotalSeconds;

    private static void Print(string label, Figures f) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label}: write pipeline {f.PipelineWrite:F0} MB/s vs 3x fsynced files {f.ReferenceWrite:F0} MB/s = {f.PipelineWrite / f.ReferenceWrite:P0}; " +
        $"read chunk {f.ChunkRead:F0} MB/s vs page-cache FileStream {f.ReferenceRead:F0} MB/s = {f.ChunkRead / f.ReferenceRead:P0} " +
        $"(over TCP without short-circuit: {f.NetworkRead:F0} MB/s = {f.NetworkRead / f.ReferenceRead:P0})"));

    private static int IntArg(string[] args, string name, int fallback) =>
        BenchArgs.Text(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>One round's rates in MiB/s.</summary>
    private readonly record struct Figures(double PipelineWrite, double ReferenceWrite, double ChunkRead, double NetworkRead, double ReferenceRead)
    {
        /// <summary>Each field's median over the rounds.</summary>
        public static Figures Median(IReadOnlyList<Figures> rounds)
        {
            double Middle(Func<Figures, double> field) => Medians.Of(rounds.Select(field));
            return new Figures(Middle(f => f.PipelineWrite), Middle(f => f.ReferenceWrite), Middle(f => f.ChunkRead),
                Middle(f => f.NetworkRead), Middle(f => f.ReferenceRead));
        }
    }
}
