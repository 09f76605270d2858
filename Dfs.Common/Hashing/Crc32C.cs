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
        // Large inputs run as three independent CRC chains over adjacent lanes, joined afterwards: the crc32
        // instruction has a latency of several cycles but a throughput of one per cycle, so one chain
        // leaves most of its speed unused.
        while (data.Length >= 3 * LaneBytes)
        {
            state = AppendThreeLanes(state, data[..(3 * LaneBytes)]);
            data = data[(3 * LaneBytes)..];
        }
        return AppendSerial(state, data);
    }

    private const int LaneBytes = 4096;

    /// <summary>shift(x) = the raw CRC state x advanced over <see cref="LaneBytes"/> zero bytes, as four byte-indexed tables.</summary>
    private static readonly uint[] LaneShift = BuildLaneShift();

    private static uint AppendThreeLanes(uint state, ReadOnlySpan<byte> block)
    {
        var a = state;
        var b = 0u;
        var c = 0u;
        var laneA = block[..LaneBytes];
        var laneB = block.Slice(LaneBytes, LaneBytes);
        var laneC = block.Slice(2 * LaneBytes, LaneBytes);
        for (var i = 0; i < LaneBytes; i += 8)
        {
            a = BitOperations.Crc32C(a, BinaryPrimitives.ReadUInt64LittleEndian(laneA[i..]));
            b = BitOperations.Crc32C(b, BinaryPrimitives.ReadUInt64LittleEndian(laneB[i..]));
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(laneC[i..]));
        }
        // Without pre- and post-conditioning the CRC is linear: raw(s, X||Y) = shift_|Y|(raw(s, X)) ^ raw(0, Y).
        return Shift(Shift(a) ^ b) ^ c;
    }

    private static uint Shift(uint x) =>
        LaneShift[x & 0xff] ^ LaneShift[256 + ((x >> 8) & 0xff)] ^ LaneShift[512 + ((x >> 16) & 0xff)] ^ LaneShift[768 + (x >> 24)];

    private static uint[] BuildLaneShift()
    {
        Span<byte> zeros = stackalloc byte[LaneBytes];
        zeros.Clear();
        Span<uint> basis = stackalloc uint[32];
        for (var bit = 0; bit < 32; bit++)
        {
            basis[bit] = AppendSerial(1u << bit, zeros);
        }
        var table = new uint[4 * 256];
        for (var k = 0; k < 4; k++)
        {
            for (var value = 0; value < 256; value++)
            {
                var shifted = 0u;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((value & (1 << bit)) != 0)
                    {
                        shifted ^= basis[8 * k + bit];
                    }
                }
                table[256 * k + value] = shifted;
            }
        }
        return table;
    }

    private static uint AppendSerial(uint state, ReadOnlySpan<byte> data)
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
