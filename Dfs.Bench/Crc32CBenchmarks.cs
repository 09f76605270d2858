using System.Buffers.Binary;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using Dfs.Common.Hashing;

namespace Dfs.Bench;

/// <summary>
/// CRC-32C over a chunk block and a large buffer: <see cref="Crc32C.Compute(ReadOnlySpan{byte})"/> beside the
/// single-stream loop (one dependent crc32 step per 8 bytes) and beside a plain copy of the same bytes, the
/// machine's reference for touching that much memory.
/// </summary>
[Config(typeof(Config))]
public class Crc32CBenchmarks
{
    private byte[] _source = null!;
    private byte[] _destination = null!;

    [Params(64 * 1024, 4 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Size];
        new Random(1).NextBytes(_source);
        _destination = new byte[Size];
        if (Crc32C.Compute(_source) != ~SingleStream(uint.MaxValue, _source))
        {
            throw new InvalidOperationException("Crc32C.Compute and the single-stream loop disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "memory copy")]
    public void Copy() => _source.AsSpan().CopyTo(_destination);

    [Benchmark(Description = "single-stream crc32 loop")]
    public uint SingleStreamCrc() => ~SingleStream(uint.MaxValue, _source);

    [Benchmark(Description = "Crc32C.Compute")]
    public uint Compute() => Crc32C.Compute(_source);

    /// <summary>One crc32 step per 8 bytes, each waiting on the last.</summary>
    private static uint SingleStream(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }
        return state;
    }

    private sealed class Config : BenchConfig
    {
        // The fastest iteration is shown beside the mean: on a shared machine it is the steadier figure.
        public Config() =>
            AddColumn(StatisticColumn.Min, StatisticColumn.Median, new ThroughputColumn("GB/s", c => (int)c.Parameters[nameof(Size)], 1e9));
    }
}
