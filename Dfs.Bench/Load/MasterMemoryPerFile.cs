using System.Diagnostics;
using System.Globalization;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Raft.ChunkServers;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;
using Dfs.Raft.Metadata;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Bench.Load;

/// <summary>
/// What a master holds per file, in this process on the master's own types: <c>files</c> one-chunk files committed through the
/// schema into a <see cref="KvStateMachine"/> (the replicated state), and the same number of chunks reported by three chunk
/// servers into a <see cref="ChunkServerDirectory"/> (the soft state of where replicas are). Each is the managed heap's growth
/// after a forced full collection, divided by the file count. The reference beside it, from the same run: the bytes of the
/// keys and values the schema wrote (what any store must hold at least).
/// </summary>
public static class MasterMemoryPerFile
{
    private const int FilesPerDirectory = 1000;
    private const int ReportPage = 10_000;
    private const int Replicas = 3;

    public static async Task<MasterMemoryFigures> MeasureAsync(int files)
    {
        var clock = 0L;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var kv = KvMetadataAdapter.InProcess(() => Interlocked.Increment(ref clock));
        var store = new MetadataStore(kv);
        var load = Stopwatch.StartNew();
        for (var i = 0; i < files; i++)
        {
            if (i % FilesPerDirectory == 0)
            {
                await store.MkdirAsync($"/m/d{i / FilesPerDirectory:D4}", parents: true);
            }
            var chunk = new ChunkRef((ulong)i + 1, 1 << 26, 0x1234_5678, 1);
            await store.CommitAsync($"/m/d{i / FilesPerDirectory:D4}/file-{i:D8}", ExpectedVersion.None,
                new NewVersion(1 << 26, 0x1234_5678, 1_700_000_000_000 + i, "application/octet-stream", [chunk]));
        }
        load.Stop();
        var afterStore = GC.GetTotalMemory(forceFullCollection: true);
        var rawBytes = await RawBytesAsync(kv);

        var directory = new ChunkServerDirectory(new ChunkServerDirectoryOptions(), new SilentFollower(), TimeProvider.System,
            NullLogger<ChunkServerDirectory>.Instance);
        for (var server = 1; server <= Replicas; server++)
        {
            var page = 0;
            for (var first = 0; first < files; first += ReportPage)
            {
                var count = Math.Min(ReportPage, files - first);
                var chunks = new ReportedChunk[count];
                for (var j = 0; j < count; j++)
                {
                    chunks[j] = new ReportedChunk((ulong)(first + j) + 1, 1, 1 << 26);
                }
                directory.OnHeartbeat(new HeartbeatRequest($"c{server}", "127.0.0.1", 7000 + server, 1L << 40, 1L << 39, 1L << 39, 0, 1,
                    FullReport: true, page++, LastPage: first + count >= files, chunks, [], []));
            }
        }
        var afterDirectory = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(store);
        GC.KeepAlive(directory);
        return new MasterMemoryFigures(files, (afterStore - before) / (double)files, (afterDirectory - afterStore) / (double)files,
            rawBytes / (double)files, load.Elapsed);
    }

    /// <summary>The keys and values in the store, paged through from the first key to the last.</summary>
    private static Task<long> RawBytesAsync(KvMetadataAdapter kv) => kv.ReadAsync(view =>
    {
        long bytes = 0;
        byte[] start = [0];
        byte[] end = [0xFF, 0xFF, 0xFF, 0xFF];
        while (true)
        {
            var page = view.Range(start, end, 10_000);
            foreach (var item in page.Items)
            {
                bytes += item.Key.Length + item.Value.Length;
            }
            if (!page.More || page.Items.Count == 0)
            {
                return bytes;
            }
            start = [.. page.Items[^1].Key.Span, 0];
        }
    }, CancellationToken.None);

    /// <summary>A master that is not the leader: the directory takes reports in and orders nothing, as every follower does.</summary>
    private sealed class SilentFollower : IMasterKv
    {
        public MasterStatus Status { get; } = new("m1", "Follower", 1, null, 0, 0, 0, 0, ["m1"], Environment.ProcessId);

        public Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The memory measure writes no membership records.");

        public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The memory measure reads no membership records.");
    }
}

/// <param name="StoreBytesPerFile">Managed heap of the replicated metadata state per file.</param>
/// <param name="LocationBytesPerFile">Managed heap of the chunk-location soft state per file (one chunk, three replicas).</param>
/// <param name="RawBytesPerFile">The keys and values the schema stored per file: the floor any store pays.</param>
public sealed record MasterMemoryFigures(int Files, double StoreBytesPerFile, double LocationBytesPerFile, double RawBytesPerFile, TimeSpan LoadTime)
{
    public double TotalBytesPerFile => StoreBytesPerFile + LocationBytesPerFile;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Files:N0} one-chunk files: {TotalBytesPerFile:F0} B/file in the master ({StoreBytesPerFile:F0} B replicated metadata + {LocationBytesPerFile:F0} B replica locations at 3 replicas); the keys and values themselves: {RawBytesPerFile:F0} B/file; loaded in {LoadTime.TotalSeconds:F1} s");
}
