using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Dfs.Common.Hashing;

/// <summary>CRC-32C (Castagnoli) over spans and sequences, using the CPU's crc32 instruction where present.</summary>
public static class Crc32C
{
    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>Computes the CRC-32C of every segment of <paramref name="data"/> in order.</summary>
    public static uint Compute(in ReadOnlySequence<byte> data)
    {
        var state = uint.MaxValue;
        foreach (var segment in data)
        {
            state = Append(state, segment.Span);
        }
        return ~state;
    }

    /// <summary>
    /// Extends a running (non-finalized) CRC state with <paramref name="data"/>. Start from
    /// <see cref="uint.MaxValue"/> and finish by complementing the result.
    /// </summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
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
}
