using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.Kv;
using Dfs.Client.Master;

namespace Dfs.Bench.Load;

/// <summary>
/// <c>gateway [--rounds 3] [--file-mib 1024] [--small-seconds 10] [--clients 16] [--dir PATH] [--upload-buffer-kib 1024]
/// [--kv-value-bytes 4096] [--memory-uploads 16] [--inline-kib 64]</c>: a whole cluster started by the gateway (three masters, three chunk
/// servers, replication 3, 64 MiB chunks) measured through the REST API, each figure beside its reference from the same
/// run: uploads beside the bare chunk pipeline writing the same bytes to the same servers, downloads beside bare chunk
/// reads of those chunks (twice: short-circuit from the replica's file, and over the chunk server's connection), small-file PUTs beside the masters' raw key-value puts; then 4 KiB reads, and the gateway's
/// peak resident memory before and after concurrent 1 GiB uploads.
/// </summary>
/// <remarks>
/// The two sides of each comparison run back to back and who goes first alternates by round, so each meets the same
/// machine state as often. Each round prints its figures, ratios and the CPU seconds each process spent; the last line
/// prints the medians. Rates are MiB/s.
/// <para>
/// Two download references, because on one machine the short-circuit read is a bound no remote client can reach: the
/// bench reads the replica's file itself, so its bytes cross no socket, while a download's bytes always cross one (the
/// gateway's response) after the same short-circuit read and check in the gateway. The read over the chunk server's
/// connection crosses one socket as the download does, the position of a client on another machine; it checks each
/// packet again on arrival, one checksum pass more than the download's path. Beside them, the socket floor (see
/// <see cref="LoopbackSocket"/>): the short-circuit read's verified pieces sent through one loopback socket with no HTTP,
/// and that socket alone carrying the same number of bytes from memory, so a round shows how much of the gap to the
/// short-circuit read is the socket every download crosses.
/// </para>
/// </remarks>
internal static class GatewayLoad
{
    private const long MiB = 1024 * 1024;
    internal const long ChunkBytes = 64 * MiB;
    internal const int SmallFileBytes = 4096;
    private const int Directories = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        var root = Path.Combine(options.Dir ?? Path.GetTempPath(), $"dfs-gateway-bench-{Environment.ProcessId}");
        var fileBytes = options.FileMiB * MiB;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway: {options.Rounds} round(s); {options.FileMiB} MiB upload/download vs bare chunk pipeline/reads of {ChunkBytes / MiB} MiB chunks; " +
            $"{SmallFileBytes / 1024} KiB files at {options.Clients} clients for {options.SmallSeconds} s vs raw key-value puts ({options.KvValueBytes}-byte values) at {options.Clients} callers; " +
            $"files up to {options.InlineKiB} KiB kept inline; upload writes of {options.UploadBufferKiB} KiB; data under {root}; machine load average {LoadAverage()}"));

        using var http = CreateHttpClient();
        await using var cluster = GatewayCluster.Start(root, ChunkBytes, options.InlineKiB * 1024);
        http.BaseAddress = cluster.BaseAddress;
        var starting = Stopwatch.StartNew();
        await cluster.WaitReadyAsync(http, TimeSpan.FromMinutes(3));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster ready in {starting.Elapsed.TotalSeconds:F1} s: gateway pid {cluster.GatewayPid} on {cluster.BaseAddress}, chunk servers pids {string.Join(", ", cluster.ChunkServerPids)}"));

        var bench = new Bench(options, cluster, http);
        await using (bench.Master)
        {
            await bench.WarmUpAsync();
            var all = new List<RoundFigures>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                all.Add(await bench.RoundAsync(round, fileBytes));
            }
            PrintMedians(all);
            if (options.MemoryUploads > 0)
            {
                await bench.MemoryAsync(fileBytes);
            }
        }
        return 0;
    }

    /// <summary>The client every gateway measurement uses: no proxy, no cookies, no decompression, connections kept for the run.</summary>
    internal static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1024,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private static void PrintMedians(List<RoundFigures> all)
    {
        double M(Func<RoundFigures, double> f) => Medians.Of(all.Select(f));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"medians: upload gateway {M(f => f.Upload):F0} MiB/s vs bare pipeline {M(f => f.BareWrite):F0} MiB/s = {M(f => f.Upload / f.BareWrite):P0} (goal ≥ 70%); " +
            $"download gateway {M(f => f.Download):F0} MiB/s vs bare chunk read {M(f => f.BareRead):F0} MiB/s (short-circuit) = {M(f => f.Download / f.BareRead):P0} (goal ≥ 70%), " +
            $"vs bare chunk read over the connection {M(f => f.BareRemoteRead):F0} MiB/s = {M(f => f.Download / f.BareRemoteRead):P0}; " +
            $"socket floor: the short-circuit read into one loopback socket {M(f => f.SocketRead):F0} MiB/s = {M(f => f.SocketRead / f.BareRead):P0} of the short-circuit read (the download reaches {M(f => f.Download / f.SocketRead):P0} of it), " +
            $"the socket alone {M(f => f.BareSocket):F0} MiB/s = {M(f => f.BareSocket / f.BareRead):P0} of the short-circuit read; " +
            $"4 KiB files {M(f => f.Files):F0} files/s (p50 {M(f => f.FilesP50):F1} ms, p99 {M(f => f.FilesP99):F1} ms) vs raw kv puts {M(f => f.Puts):F0} puts/s (p50 {M(f => f.PutsP50):F1} ms, p99 {M(f => f.PutsP99):F1} ms) = {M(f => f.Files / f.Puts):F2} (goal ≥ 0.33); " +
            $"4 KiB reads {M(f => f.Reads):F0} reads/s (p50 {M(f => f.ReadsP50):F1} ms, p99 {M(f => f.ReadsP99):F1} ms)"));
    }



    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>One round's figures: rates in MiB/s or operations/s, latencies in ms.</summary>
    internal sealed record RoundFigures(double Upload, double BareWrite, double Download, double BareRead, double BareRemoteRead,
        double SocketRead, double BareSocket,
        double Files, double FilesP50, double FilesP99, double Puts, double PutsP50, double PutsP99,
        double Reads, double ReadsP50, double ReadsP99);

    /// <summary>The state a run shares across rounds: the cluster, the clients and the generated content.</summary>
    internal sealed class Bench(Options options, GatewayCluster cluster, HttpClient http)
    {
        private readonly GeneratedBytes _content = new(seed: 1);
        private readonly byte[] _smallBody = RandomBytes(SmallFileBytes, seed: 2);
        private readonly byte[] _kvValue = RandomBytes(options.KvValueBytes, seed: 3);
        private readonly ChunkWriteClient _writer = new();

        // Short-circuit local reads on (the default), as the gateway's own read client has them.
        private readonly ChunkReadClient _reader = new();

        // Short-circuit off: the chunk server sends the bytes over its connection, one socket as a download's bytes cross.
        private readonly ChunkReadClient _remoteReader = new(new ChunkReadOptions { ShortCircuitLocalReads = false });
        private readonly IReadOnlyList<ChunkEndpoint> _chain = cluster.ChunkEndpoints;

        public MasterClient Master { get; } = MasterClient.FromConfig(cluster.Config);

        /// <summary>A short pass of every operation, unmeasured, so the measured rounds run tiered-up code everywhere.</summary>
        public async Task WarmUpAsync()
        {
            var bytes = Math.Min(ChunkBytes, options.FileMiB * MiB);
            await UploadAsync("bench/warm-up", bytes);
            await DownloadAsync("bench/warm-up", bytes);
            await DeleteFileAsync("bench/warm-up");
            var ids = await BareWriteAsync(bytes);
            await BareReadAsync(ids);
            await BareReadAsync(ids, _remoteReader);
            await BareReadIntoSocketAsync(ids, bytes);
            await BareSocketAsync(bytes);
            await DeleteChunksAsync(ids);
            var warm = TimeSpan.FromSeconds(Math.Min(2, options.SmallSeconds));
            var (_, written) = await SmallFilesAsync("warm", warm, options.Clients);
            await SmallReadsAsync(written, warm, options.Clients);
            await KvPutsAsync("warm", warm, options.Clients);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up done (machine load average {LoadAverage()})"));
        }

        public async Task<RoundFigures> RoundAsync(int round, long fileBytes)
        {
            var gatewayFirst = round % 2 == 1;
            var path = $"bench/r{round}/big.bin";

            // 1. Upload beside the bare pipeline.
            var upload = new Measured(cluster);
            var bareWrite = new Measured(cluster);
            IReadOnlyList<ChunkId> ids = [];
            await InOrder(gatewayFirst,
                () => upload.RunAsync(() => UploadAsync(path, fileBytes)),
                () => bareWrite.RunAsync(async () => ids = await BareWriteAsync(fileBytes)));

            // 2. Download beside bare chunk reads of the reference's chunks: short-circuit, then over the connection.
            var download = new Measured(cluster);
            var bareRead = new Measured(cluster);
            var bareRemoteRead = new Measured(cluster);
            // Then the socket floor: the short-circuit read sent through one loopback socket (no HTTP), and that socket alone.
            var socketRead = new Measured(cluster);
            var bareSocket = new Measured(cluster);
            await InOrder(gatewayFirst,
                () => download.RunAsync(() => DownloadAsync(path, fileBytes)),
                () => Sequence(
                    () => bareRead.RunAsync(() => BareReadAsync(ids)),
                    () => bareRemoteRead.RunAsync(() => BareReadAsync(ids, _remoteReader)),
                    () => socketRead.RunAsync(() => BareReadIntoSocketAsync(ids, fileBytes)),
                    () => bareSocket.RunAsync(() => BareSocketAsync(fileBytes))));
            var fileChunks = await FileChunkIdsAsync(path);
            await DeleteFileAsync(path);
            await DeleteChunksAsync(ids);

            var gib = fileBytes / (1024.0 * MiB);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: CPU-s per GiB — upload: {upload.Cpu(gib)}; bare pipeline: {bareWrite.Cpu(gib)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: CPU-s per GiB — download: {download.Cpu(gib)}; bare chunk read: {bareRead.Cpu(gib)}; over the connection: {bareRemoteRead.Cpu(gib)}; " +
                $"into one loopback socket: {socketRead.Cpu(gib)}; the socket alone: {bareSocket.Cpu(gib)}"));

            // 3. Small files beside raw key-value puts, then reads of the files just written. First the two gigabytes
            // just deleted leave the disks: unlinked while a side runs, they stall its fsyncs, whichever side goes first.
            await WaitUntilDeletedAsync(fileChunks, ids);
            var duration = TimeSpan.FromSeconds(options.SmallSeconds);
            LatencySummary files = null!;
            LatencySummary puts = null!;
            IReadOnlyList<string> written = [];
            var filesCpu = new Measured(cluster);
            var putsCpu = new Measured(cluster);
            await InOrder(gatewayFirst,
                () => filesCpu.RunAsync(async () => (files, written) = await SmallFilesAsync($"r{round}", duration, options.Clients)),
                () => putsCpu.RunAsync(async () => puts = await KvPutsAsync($"r{round}", duration, options.Clients)));
            var readsCpu = new Measured(cluster);
            LatencySummary reads = null!;
            await readsCpu.RunAsync(async () => reads = await SmallReadsAsync(written, duration, options.Clients));

            // Not a goal, a breakdown: what a 4 KiB file's chunk costs alone (bare pipeline writes of 4 KiB chunks at as
            // many callers), and what the processes burn idle once the round's files exist (heartbeats, duties).
            var chunksCpu = new Measured(cluster);
            LatencySummary chunks = null!;
            await chunksCpu.RunAsync(async () => chunks = await SmallChunksAsync(duration));
            var idle = new Measured(cluster);
            await idle.RunAsync(() => Task.Delay(TimeSpan.FromSeconds(2)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: CPU-ms per operation — 4 KiB file PUT: {filesCpu.Cpu(files.Operations / 1000.0)}; raw kv put: {putsCpu.Cpu(puts.Operations / 1000.0)}; 4 KiB GET: {readsCpu.Cpu(reads.Operations / 1000.0)}; bare 4 KiB chunk write: {chunksCpu.Cpu(chunks.Operations / 1000.0)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: breakdown — bare 4 KiB chunk writes (3-server pipeline, no masters) {chunks.OpsPerSecond:F0} chunks/s (p50 {chunks.P50Ms:F1} ms, p99 {chunks.P99Ms:F1} ms, errors {chunks.Errors}) at {options.Clients} callers; idle CPU % over 2 s with the round's files: {idle.Cpu(idle.Elapsed.TotalSeconds / 100)}"));

            var figures = new RoundFigures(
                Rate(fileBytes, upload.Elapsed), Rate(fileBytes, bareWrite.Elapsed), Rate(fileBytes, download.Elapsed), Rate(fileBytes, bareRead.Elapsed), Rate(fileBytes, bareRemoteRead.Elapsed),
                Rate(fileBytes, socketRead.Elapsed), Rate(fileBytes, bareSocket.Elapsed),
                files.OpsPerSecond, files.P50Ms, files.P99Ms, puts.OpsPerSecond, puts.P50Ms, puts.P99Ms, reads.OpsPerSecond, reads.P50Ms, reads.P99Ms);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round} ({(gatewayFirst ? "gateway" : "reference")} first): " +
                $"upload gateway {figures.Upload:F0} MiB/s vs bare pipeline {figures.BareWrite:F0} MiB/s = {figures.Upload / figures.BareWrite:P0}; " +
                $"download gateway {figures.Download:F0} MiB/s vs bare chunk read {figures.BareRead:F0} MiB/s (short-circuit) = {figures.Download / figures.BareRead:P0}, " +
                $"vs over the connection {figures.BareRemoteRead:F0} MiB/s = {figures.Download / figures.BareRemoteRead:P0}; " +
                $"socket floor: the short-circuit read into one loopback socket {figures.SocketRead:F0} MiB/s = {figures.SocketRead / figures.BareRead:P0} of the short-circuit read (the download reaches {figures.Download / figures.SocketRead:P0} of it), " +
                $"the socket alone {figures.BareSocket:F0} MiB/s = {figures.BareSocket / figures.BareRead:P0} of the short-circuit read; " +
                $"4 KiB files {files.OpsPerSecond:F0} files/s (p50 {files.P50Ms:F1} ms, p99 {files.P99Ms:F1} ms, errors {files.Errors}) vs raw kv puts {puts.OpsPerSecond:F0} puts/s (p50 {puts.P50Ms:F1} ms, p99 {puts.P99Ms:F1} ms, errors {puts.Errors}) = {files.OpsPerSecond / puts.OpsPerSecond:F2}; " +
                $"4 KiB reads {reads.OpsPerSecond:F0} reads/s (p50 {reads.P50Ms:F1} ms, p99 {reads.P99Ms:F1} ms, errors {reads.Errors}); machine load average {LoadAverage()}"));
            return figures;
        }

        /// <summary>The gateway's peak resident memory before and after concurrent uploads of generated bodies.</summary>
        public async Task MemoryAsync(long fileBytes)
        {
            var before = cluster.GatewayMemory("VmHWM");
            var rssBefore = cluster.GatewayMemory("VmRSS");
            var uploads = new Measured(cluster);
            var paths = Enumerable.Range(0, options.MemoryUploads).Select(i => $"bench/memory/f{i}.bin").ToArray();
            await uploads.RunAsync(() => Task.WhenAll(paths.Select(p => Task.Run(() => UploadAsync(p, fileBytes)))));
            var after = cluster.GatewayMemory("VmHWM");
            var rssAfter = cluster.GatewayMemory("VmRSS");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gateway memory: peak RSS (VmHWM) {before / MiB} MiB before, {after / MiB} MiB after {options.MemoryUploads} concurrent {fileBytes / MiB} MiB uploads " +
                $"(RSS {rssBefore / MiB} → {rssAfter / MiB} MiB; the uploads together {Rate(fileBytes * options.MemoryUploads, uploads.Elapsed):F0} MiB/s; " +
                $"CPU-s per GiB {uploads.Cpu(fileBytes * options.MemoryUploads / (1024.0 * MiB))})"));
            foreach (var path in paths)
            {
                await DeleteFileAsync(path);
            }
        }

        public async Task UploadAsync(string path, long bytes)
        {
            using var content = _content.Content(bytes, options.UploadBufferKiB * 1024);
            using var response = await http.PutAsync(FileUri(path), content);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"PUT /api/files/{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }

        public async Task DownloadAsync(string path, long bytes)
        {
            using var response = await http.GetAsync(FileUri(path), HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /api/files/{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1024 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                total += read;
            }
            if (total != bytes)
            {
                throw new InvalidOperationException($"GET /api/files/{path} gave {total} bytes, not {bytes}.");
            }
        }

        public async Task DeleteFileAsync(string path)
        {
            using var response = await http.DeleteAsync(FileUri(path));
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                Console.WriteLine($"DELETE /api/files/{path} answered {(int)response.StatusCode}; its chunks stay until the run's folder goes.");
            }
        }

        /// <summary>The same bytes as an upload, as 64 MiB chunks written one after another straight to the three chunk servers.</summary>
        public async Task<IReadOnlyList<ChunkId>> BareWriteAsync(long bytes)
        {
            var ids = new List<ChunkId>();
            for (long offset = 0; offset < bytes; offset += ChunkBytes)
            {
                // A random id with the top bit set: never one the masters hand out for a file.
                var id = new ChunkId((ulong)Random.Shared.NextInt64() | (1UL << 63));
                await using var source = _content.Stream(offset, Math.Min(ChunkBytes, bytes - offset));
                await _writer.WriteAsync(id, 1, _chain, source, CancellationToken.None);
                ids.Add(id);
            }
            return ids;
        }

        /// <summary>The chunks read one after another, every byte checked and dropped; by default short-circuit, as the gateway reads.</summary>
        public async Task BareReadAsync(IReadOnlyList<ChunkId> ids, ChunkReadClient? reader = null)
        {
            reader ??= _reader;
            foreach (var id in ids)
            {
                await reader.ReadAsync(id, 1, 0, -1, _chain, static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
            }
        }

        /// <summary>
        /// The chunks read as <see cref="BareReadAsync"/> does (short-circuit, every byte checked), each verified piece sent
        /// through one loopback socket to a receiver that drops it: a download's work without HTTP, the gateway or its client.
        /// </summary>
        public async Task BareReadIntoSocketAsync(IReadOnlyList<ChunkId> ids, long bytes)
        {
            await using var socket = await LoopbackSocket.OpenAsync();
            foreach (var id in ids)
            {
                await _reader.ReadAsync(id, 1, 0, -1, _chain, socket.SendAsync, CancellationToken.None);
            }
            Expect(bytes, await socket.FinishAsync(), "the short-circuit read into a socket");
        }

        /// <summary>The same number of bytes sent 1 MiB at a time from memory through one loopback socket: no file, no check.</summary>
        public async Task BareSocketAsync(long bytes)
        {
            await using var socket = await LoopbackSocket.OpenAsync();
            for (long sent = 0; sent < bytes;)
            {
                var piece = _content.At(sent, (int)Math.Min(MiB, bytes - sent));
                await socket.SendAsync(piece, CancellationToken.None);
                sent += piece.Length;
            }
            Expect(bytes, await socket.FinishAsync(), "the socket alone");
        }

        private static void Expect(long bytes, long received, string what)
        {
            if (received != bytes)
            {
                throw new InvalidOperationException($"{what} delivered {received} bytes, not {bytes}.");
            }
        }

        /// <summary>The chunks read as <see cref="BareReadAsync"/> does, but over the chunk server's connection (no short-circuit).</summary>
        public Task BareRemoteReadAsync(IReadOnlyList<ChunkId> ids) => BareReadAsync(ids, _remoteReader);

        /// <summary>The chunk ids a file's current version lists (from <c>/api/meta</c>).</summary>
        private async Task<IReadOnlyList<ChunkId>> FileChunkIdsAsync(string path)
        {
            using var meta = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("api/meta/" + path, UriKind.Relative)));
            return [.. meta.RootElement.GetProperty("chunks").EnumerateArray()
                .Select(c => ChunkId.TryParse(c.GetProperty("id").GetString()!, out var id) ? id : throw new InvalidOperationException($"{path} lists a chunk id that is not 16 hex digits."))];
        }

        /// <summary>
        /// Waits until no chunk server's folder holds a file of the deleted file's chunks (they go in the servers' next
        /// heartbeats) or of the bench's own, then writes every dirty page back (<c>sync</c>), and says how long it took.
        /// </summary>
        /// <remarks>
        /// The masters keep the bench's own chunks at three replicas (they know them from the servers' reports): one
        /// deleted from a server a moment before the others can be copied back from a server that still holds it. Those
        /// are deleted again every few seconds until they are gone.
        /// </remarks>
        private async Task WaitUntilDeletedAsync(IReadOnlyList<ChunkId> fileChunks, IReadOnlyList<ChunkId> ownChunks)
        {
            var started = Stopwatch.StartNew();
            var folders = cluster.Config.ChunkServers.Select(c => Path.Combine(cluster.Config.DataDirectoryFor(c.Id), "chunks")).ToArray();
            // One listing of every server's folder per look: the chunk ids named by its files (data and checksums).
            HashSet<ChunkId> OnDisk() => [.. folders.Where(Directory.Exists).SelectMany(Directory.EnumerateFiles)
                .Select(f => ChunkId.TryParse(Path.GetFileName(f).Split('.')[0], out var id) ? id : (ChunkId?)null)
                .OfType<ChunkId>()];
            var deletedAgain = 0;
            var lastDelete = Stopwatch.StartNew();
            while (OnDisk() is var onDisk && fileChunks.Concat(ownChunks).Where(onDisk.Contains).ToList() is { Count: > 0 } remaining)
            {
                if (started.Elapsed > TimeSpan.FromMinutes(1))
                {
                    Console.WriteLine($"  deleted chunks still on the chunk servers' disks after a minute (the round goes on): {string.Join(", ", remaining)}");
                    break;
                }
                if (lastDelete.Elapsed > TimeSpan.FromSeconds(3) && ownChunks.Where(onDisk.Contains).ToList() is { Count: > 0 } copiedBack)
                {
                    await DeleteChunksAsync(copiedBack);
                    deletedAgain += copiedBack.Count;
                    lastDelete.Restart();
                }
                await Task.Delay(100);
            }
            var deleted = started.Elapsed;
            using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })
                ?? throw new InvalidOperationException("sync did not start.");
            await sync.WaitForExitAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  the transfers' chunks left the disks in {deleted.TotalSeconds:F1} s ({deletedAgain} of the bench's own deleted again after the masters copied them back), then sync took {(started.Elapsed - deleted).TotalSeconds:F1} s"));
        }

        /// <summary>
        /// Deletes the bench's own chunks from the three servers at once. The masters know them from the servers' reports
        /// and keep them at three replicas: deleted from one server after another, a chunk gone from the first is copied
        /// back from the last while it still holds it.
        /// </summary>
        public Task DeleteChunksAsync(IReadOnlyList<ChunkId> ids) =>
            Task.WhenAll(_chain.Select(async endpoint =>
            {
                await using var server = new ChunkServerClient(endpoint);
                await server.DeleteAsync(ids, CancellationToken.None);
            }));

        public async Task<(LatencySummary Summary, IReadOnlyList<string> Written)> SmallFilesAsync(string tag, TimeSpan duration, int clients)
        {
            var written = Enumerable.Range(0, clients).Select(_ => new List<string>()).ToArray();
            var (summary, error) = await TimedConcurrentLoad.RunAsync(clients, duration, async (caller, n) =>
            {
                var path = $"bench/small-{tag}/d{caller % Directories}/c{caller}-{n}.bin";
                using var content = new ByteArrayContent(_smallBody);
                using var response = await http.PutAsync(FileUri(path), content);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    return false;
                }
                written[caller].Add(path);
                return true;
            });
            Report("4 KiB file PUTs", error);
            return (summary, written.SelectMany(w => w).ToArray());
        }

        public async Task<LatencySummary> SmallReadsAsync(IReadOnlyList<string> paths, TimeSpan duration, int clients)
        {
            if (paths.Count == 0)
            {
                throw new InvalidOperationException("No 4 KiB file was written, so none can be read.");
            }
            var buffers = Enumerable.Range(0, clients).Select(_ => new byte[SmallFileBytes * 2]).ToArray();
            var randoms = Enumerable.Range(0, clients).Select(i => new Random(i)).ToArray();
            var (summary, error) = await TimedConcurrentLoad.RunAsync(clients, duration, async (caller, _) =>
            {
                var path = paths[randoms[caller].Next(paths.Count)];
                using var response = await http.GetAsync(FileUri(path), HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                await using var body = await response.Content.ReadAsStreamAsync();
                var total = 0;
                int read;
                while ((read = await body.ReadAsync(buffers[caller])) > 0)
                {
                    total += read;
                }
                return total == SmallFileBytes;
            });
            Report("4 KiB GETs", error);
            return summary;
        }

        private async Task<LatencySummary> SmallChunksAsync(TimeSpan duration)
        {
            var ids = new System.Collections.Concurrent.ConcurrentBag<ChunkId>();
            var (summary, error) = await TimedConcurrentLoad.RunAsync(options.Clients, duration, async (caller, n) =>
            {
                var id = new ChunkId((ulong)Random.Shared.NextInt64() | (1UL << 63));
                await _writer.WriteAsync(id, 1, _chain, new MemoryStream(_smallBody, writable: false), CancellationToken.None);
                ids.Add(id);
                return true;
            });
            Report("bare 4 KiB chunk writes", error);
            await DeleteChunksAsync([.. ids]);
            return summary;
        }

        public async Task<LatencySummary> KvPutsAsync(string tag, TimeSpan duration, int clients)
        {
            var (summary, error) = await TimedConcurrentLoad.RunAsync(clients, duration, async (caller, n) =>
            {
                var key = Encoding.UTF8.GetBytes($"bench-kv/{tag}/c{caller}/{n}");
                var result = await Master.PutAsync(key, _kvValue);
                return result.Status == KvStatus.Ok;
            });
            Report("raw kv puts", error);
            return summary;
        }

        private static void Report(string what, string? error)
        {
            if (error is not null)
            {
                Console.WriteLine($"  {what}: first error: {error}");
            }
        }

        private static Uri FileUri(string path) => new("api/files/" + path, UriKind.Relative);

        private static byte[] RandomBytes(int count, int seed)
        {
            var bytes = new byte[count];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        private static Task InOrder(bool firstFirst, Func<Task> first, Func<Task> second) =>
            firstFirst ? Sequence(first, second) : Sequence(second, first);

        private static async Task Sequence(params Func<Task>[] steps)
        {
            foreach (var step in steps)
            {
                await step();
            }
        }

        private static double Rate(long bytes, TimeSpan elapsed) => bytes / (double)MiB / elapsed.TotalSeconds;
    }

    /// <summary>Wall-clock time of one side of a comparison and the CPU time each process spent meanwhile.</summary>
    internal sealed class Measured(GatewayCluster cluster)
    {
        private TimeSpan _bench;
        private TimeSpan _gateway;
        private TimeSpan _chunkServers;
        private TimeSpan _masters;
        private TimeSpan _chunkServersKernel;

        public TimeSpan Elapsed { get; private set; }

        public async Task RunAsync(Func<Task> action)
        {
            using var self = Process.GetCurrentProcess();
            var bench = self.TotalProcessorTime;
            var (gateway, chunkServers, masters, kernel) = cluster.CpuTimes();
            var started = Stopwatch.GetTimestamp();
            await action();
            Elapsed += Stopwatch.GetElapsedTime(started);
            self.Refresh();
            _bench += self.TotalProcessorTime - bench;
            var after = cluster.CpuTimes();
            _gateway += after.Gateway - gateway;
            _chunkServers += after.ChunkServers - chunkServers;
            _masters += after.Masters - masters;
            _chunkServersKernel += after.ChunkServersKernel - kernel;
        }

        /// <summary>CPU seconds of each process per <paramref name="units"/>.</summary>
        public string Cpu(double units) => string.Create(CultureInfo.InvariantCulture,
            $"bench {_bench.TotalSeconds / units:F2}, gateway {_gateway.TotalSeconds / units:F2}, chunk servers {_chunkServers.TotalSeconds / units:F2} (kernel {_chunkServersKernel.TotalSeconds / units:F2}), masters {_masters.TotalSeconds / units:F2}");
    }

    internal sealed record Options(int Rounds, int FileMiB, int SmallSeconds, int Clients, string? Dir, int UploadBufferKiB, int KvValueBytes, int MemoryUploads,
        int InlineKiB = 64)
    {
        public static Options Parse(string[] args)
        {
            // The raw puts carry as many bytes as a small file by default, so both sides put the same payload through the log.
            var options = new Options(3, 1024, 10, 16, null, 1024, SmallFileBytes, 16);
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Number() => int.Parse(Next(), CultureInfo.InvariantCulture);
                options = args[i] switch
                {
                    "--rounds" => options with { Rounds = Number() },
                    "--file-mib" => options with { FileMiB = Number() },
                    "--small-seconds" => options with { SmallSeconds = Number() },
                    "--clients" => options with { Clients = Number() },
                    "--dir" => options with { Dir = Path.GetFullPath(Next()) },
                    "--upload-buffer-kib" => options with { UploadBufferKiB = Number() },
                    "--kv-value-bytes" => options with { KvValueBytes = Number() },
                    "--memory-uploads" => options with { MemoryUploads = Number() },
                    "--inline-kib" => options with { InlineKiB = Number() },
                    _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --rounds 3 --file-mib 1024 --small-seconds 10 --clients 16 --dir PATH --upload-buffer-kib 1024 --kv-value-bytes 4096 --memory-uploads 16 --inline-kib 64"),
                };
            }
            return options.Rounds > 0 && options.FileMiB > 0 && options.SmallSeconds > 0 && options.Clients > 0 && options.UploadBufferKiB > 0 && options.KvValueBytes >= 0 && options.MemoryUploads >= 0 && options.InlineKiB is >= 0 and <= 512
                ? options
                : throw new ArgumentException("--rounds, --file-mib, --small-seconds, --clients and --upload-buffer-kib must be positive; --kv-value-bytes and --memory-uploads not negative; --inline-kib 0..512.");
        }
    }
}
