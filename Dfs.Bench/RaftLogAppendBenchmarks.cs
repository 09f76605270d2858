using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;
using Microsoft.Win32.SafeHandles;

namespace Dfs.Bench;

/// <summary>
/// Durable appends to the Raft log (append a batch, then one Sync) beside the machine's own limit: the same
/// bytes written to a raw file and made durable with fdatasync (the baseline), fsync through
/// <see cref="RandomAccess.FlushToDisk"/>, and <see cref="FileStream.Flush(bool)"/>.
/// </summary>
[Config(typeof(Config))]
public class RaftLogAppendBenchmarks
{
    /// <summary>Bytes a record adds to an entry's payload in the log: 9 of framing, 17 of term, index and kind.</summary>
    private const int RecordOverhead = 26;

    private const long RawFileLimit = 64L << 20;

    private string _folder = null!;
    private FileRaftLogStore _store = null!;
    private LogEntry[] _batch = null!;
    private byte[] _payload = null!;
    private byte[] _rawBatch = null!;
    private SafeFileHandle _raw = null!;
    private FileStream _rawStream = null!;
    private long _rawOffset;
    private long _nextIndex;

    [Params(1, 16, 256)]
    public int BatchSize { get; set; }

    [Params(256, 4096)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "dfs-bench-raftlog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _store = new FileRaftLogStore(Path.Combine(_folder, "log"));
        _store.Recover();
        _nextIndex = 1;
        _payload = new byte[PayloadSize];
        new Random(1).NextBytes(_payload);
        _batch = new LogEntry[BatchSize];
        _rawBatch = new byte[BatchSize * (PayloadSize + RecordOverhead)];
        new Random(2).NextBytes(_rawBatch);
        _raw = File.OpenHandle(Path.Combine(_folder, "raw.dat"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        _rawStream = new FileStream(Path.Combine(_folder, "raw-stream.dat"), FileMode.Create, FileAccess.Write, FileShare.None, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _raw.Dispose();
        _rawStream.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw write + fdatasync")]
    public void RawWriteFDataSync()
    {
        RandomAccess.Write(_raw, _rawBatch, NextRawOffset());
        DurableIo.FlushData(_raw);
    }

    [Benchmark(Description = "raw write + RandomAccess.FlushToDisk")]
    public void RawWriteFlushToDisk()
    {
        RandomAccess.Write(_raw, _rawBatch, NextRawOffset());
        RandomAccess.FlushToDisk(_raw);
    }

    [Benchmark(Description = "raw write + FileStream.Flush(true)")]
    public void RawWriteFileStreamFlush()
    {
        if (_rawStream.Position + _rawBatch.Length > RawFileLimit)
        {
            _rawStream.SetLength(0);
        }
        _rawStream.Write(_rawBatch);
        _rawStream.Flush(flushToDisk: true);
    }

    [Benchmark(Description = "FileRaftLogStore Append + Sync")]
    public void StoreAppendSync()
    {
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = new LogEntry(1, _nextIndex + i, EntryKind.Command, _payload);
        }
        _store.Append(_batch);
        _store.Sync();
        _nextIndex += _batch.Length;
        // Keeps the disk footprint to a couple of segments, as snapshots would.
        _store.CompactThrough(_nextIndex - 1);
    }

    /// <summary>Where the next raw write goes: appending, like the log, and starting over at the log's segment size.</summary>
    private long NextRawOffset()
    {
        if (_rawOffset + _rawBatch.Length > RawFileLimit)
        {
            RandomAccess.SetLength(_raw, 0);
            _rawOffset = 0;
        }
        var offset = _rawOffset;
        _rawOffset += _rawBatch.Length;
        return offset;
    }

    private static int Parameter(BenchmarkCase benchmarkCase, string name) => (int)benchmarkCase.Parameters[name];

    private sealed class Config : BenchConfig
    {
        public Config()
        {
            AddColumn(
                new ThroughputColumn("entries/s", c => Parameter(c, nameof(BatchSize))),
                new ThroughputColumn("MB/s", c => (double)Parameter(c, nameof(BatchSize)) * Parameter(c, nameof(PayloadSize)), 1e6));
        }
    }
}
