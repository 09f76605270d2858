using System.Text;
using BenchmarkDotNet.Attributes;
using Dfs.Client.Kv;
using Dfs.Raft.Kv;

namespace Dfs.Bench;

/// <summary>
/// The replicated store's own speed: applying puts, point reads and prefix ranges over 100k keys (100-byte keys,
/// 256-byte values), beside the same reads and writes on the framework's ordered map (SortedDictionary with an
/// ordinal byte comparer) as the reference. In-process with few iterations, so it is quick and needs no build step.
/// </summary>
[MemoryDiagnoser]
[InProcess]
[WarmupCount(3)]
[IterationCount(5)]
public class KvStoreBenchmarks
{
    private const int Keys = 100_000;
    private const int Batch = 1_000;

    private KvStateMachine _machine = null!;
    private SortedDictionary<byte[], byte[]> _reference = null!;
    private byte[][] _putKeys = null!;
    private byte[] _value = null!;
    private byte[][] _keys = null!;
    private byte[][] _putCommands = null!;
    private long _index;
    private int _cursor;

    [GlobalSetup]
    public void Setup()
    {
        _machine = new KvStateMachine();
        _keys = new byte[Keys][];
        var value = new byte[256];
        for (var i = 0; i < Keys; i++)
        {
            var key = new byte[100];
            key.AsSpan().Fill((byte)'x');
            Encoding.ASCII.GetBytes($"/dfs/files/{i / 100:D6}/{i % 100:D3}/").CopyTo(key, 0);
            _keys[i] = key;
        }
        var random = new Random(1);
        _putCommands = new byte[Batch][];
        _putKeys = new byte[Batch][];
        for (var i = 0; i < Batch; i++)
        {
            _putKeys[i] = _keys[random.Next(Keys)];
            _putCommands[i] = KvCommandCodec.Encode(KvCommand.Put(_putKeys[i], value));
        }
        _value = value;
        _reference = new SortedDictionary<byte[], byte[]>(Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b)));
        foreach (var key in _keys)
        {
            _machine.Apply(++_index, timestampMs: 1, KvCommandCodec.Encode(KvCommand.Put(key, value)));
            _reference[key] = value;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _machine.Dispose();

    /// <summary>Applies encoded puts that overwrite existing keys (decode, validate, index, new record, result).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int ApplyPut()
    {
        var total = 0;
        foreach (var command in _putCommands)
        {
            total += _machine.Apply(++_index, timestampMs: 1, command).Length;
        }
        return total;
    }

    /// <summary>Point reads after the read barrier.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long Get()
    {
        long total = 0;
        for (var i = 0; i < Batch; i++)
        {
            _cursor = (_cursor + 7919) % Keys;
            total += _machine.Get(_keys[_cursor])!.ModRevision;
        }
        return total;
    }

    /// <summary>A directory listing: the first 100 keys under a prefix.</summary>
    [Benchmark]
    public int RangePrefix100()
    {
        _cursor = (_cursor + 7919) % Keys;
        return _machine.RangePrefix(_keys[_cursor].AsSpan(0, 18), limit: 100).Items.Count;
    }

    /// <summary>Reference: overwriting the same keys in a SortedDictionary (no command decoding, no records, no result).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int ReferenceSortedDictionaryPut()
    {
        foreach (var key in _putKeys)
        {
            _reference[key] = _value;
        }
        return _reference.Count;
    }

    /// <summary>Reference: point reads of the same keys from a SortedDictionary (no lock).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int ReferenceSortedDictionaryGet()
    {
        var total = 0;
        for (var i = 0; i < Batch; i++)
        {
            _cursor = (_cursor + 7919) % Keys;
            total += _reference[_keys[_cursor]].Length;
        }
        return total;
    }
}
