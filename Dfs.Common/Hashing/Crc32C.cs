using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Dfs.Common.Hashing;

/// <summary>CRC-32C (Castagnoli) over spans and sequences, using the CPU's crc32 instruction where present.</summary>
/// <remarks>
/// Large inputs run three independent CRC streams over adjacent thirds of a block so that the crc32
/// instruction's latency overlaps, then join the three partial states by shifting them over the bytes that
/// follow (multiplication by x^(8·length) modulo the polynomial, read from tables built once per block length).
/// </remarks>
public static class Crc32C
{
    /// <summary>The reflected Castagnoli polynomial.</summary>
    private const uint Polynomial = 0x82F63B78;

    /// <summary>Bytes per stream in each tier, longest first; a round covers three streams.</summary>
    private const int LongStream = 8192;
    private const int MediumStream = 1024;
    private const int ShortStream = 128;

    /// <summary>Inputs shorter than one short round take the single-stream loop.</summary>
    private const int InterleaveThreshold = 3 * ShortStream;

    // Each table holds four 256-entry byte tables: the state shifted over the stream length, one per state byte.
    private static readonly uint[] ShiftLong = BuildShiftTable(LongStream);
    private static readonly uint[] ShiftMedium = BuildShiftTable(MediumStream);
    private static readonly uint[] ShiftShort = BuildShiftTable(ShortStream);

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
    /// The CRC-32C of the concatenation A·B from the CRC-32C of A, the CRC-32C of B and B's length, without
    /// touching the bytes: CRC(A) multiplied by x^(8·lengthB) modulo the polynomial, plus CRC(B).
    /// </summary>
    public static uint Combine(uint crcA, uint crcB, int lengthB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthB);
        return MultiplyModP(XPow8nModP(lengthB), crcA) ^ crcB;
    }

    /// <summary>
    /// Extends a running (non-finalized) CRC state with <paramref name="data"/>. Start from
    /// <see cref="uint.MaxValue"/> and finish by complementing the result.
    /// </summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        // Without the instruction the per-step cost is the table walk itself, so interleaving gains nothing.
        if (data.Length >= InterleaveThreshold && (Sse42.X64.IsSupported || Crc32.Arm64.IsSupported))
        {
            ref var start = ref MemoryMarshal.GetReference(data);
            var offset = 0;
            var remaining = data.Length;
            state = AppendRounds(state, ref start, ref offset, ref remaining, LongStream, ShiftLong);
            state = AppendRounds(state, ref start, ref offset, ref remaining, MediumStream, ShiftMedium);
            state = AppendRounds(state, ref start, ref offset, ref remaining, ShortStream, ShiftShort);
            data = data.Slice(offset);
        }
        return AppendSingle(state, data);
    }

    /// <summary>One crc32 step per 8 bytes, each waiting on the last: the path for short inputs and tails.</summary>
    private static uint AppendSingle(uint state, ReadOnlySpan<byte> data)
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

    /// <summary>
    /// Consumes as many whole rounds of three <paramref name="streamLength"/>-byte streams as fit in
    /// <paramref name="remaining"/> bytes from <paramref name="offset"/>, advancing both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AppendRounds(uint state, ref byte start, ref int offset, ref int remaining, int streamLength, uint[] shift)
    {
        while (remaining >= 3 * streamLength)
        {
            ref var a = ref Unsafe.Add(ref start, offset);
            ref var b = ref Unsafe.Add(ref a, streamLength);
            ref var c = ref Unsafe.Add(ref b, streamLength);
            // The second and third streams start from zero: the register update is linear, so the state over
            // A‖B is shift(stateA, |B|) xor (B's state from zero), and likewise for C.
            uint crcA, crcB, crcC;
            if (Sse42.X64.IsSupported)
            {
                // 64-bit states: crc32 r64 already zero-extends, and a uint state would put a 32-bit move on
                // each stream's dependency chain.
                ulong wideA = state, wideB = 0, wideC = 0;
                for (nuint i = 0; i < (nuint)streamLength; i += 8)
                {
                    wideA = Sse42.X64.Crc32(wideA, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)));
                    wideB = Sse42.X64.Crc32(wideB, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
                    wideC = Sse42.X64.Crc32(wideC, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i)));
                }
                (crcA, crcB, crcC) = ((uint)wideA, (uint)wideB, (uint)wideC);
            }
            else
            {
                (crcA, crcB, crcC) = (state, 0u, 0u);
                for (nuint i = 0; i < (nuint)streamLength; i += 8)
                {
                    crcA = BitOperations.Crc32C(crcA, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)));
                    crcB = BitOperations.Crc32C(crcB, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
                    crcC = BitOperations.Crc32C(crcC, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i)));
                }
            }
            state = Shift(shift, Shift(shift, crcA) ^ crcB) ^ crcC;
            offset += 3 * streamLength;
            remaining -= 3 * streamLength;
        }
        return state;
    }

    /// <summary>The register after feeding it the zero bytes the table was built for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint state)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(table);
        return Unsafe.Add(ref t, (int)(state & 0xFF))
            ^ Unsafe.Add(ref t, 256 + (int)((state >> 8) & 0xFF))
            ^ Unsafe.Add(ref t, 512 + (int)((state >> 16) & 0xFF))
            ^ Unsafe.Add(ref t, 768 + (int)(state >> 24));
    }

    /// <summary>
    /// Tabulates multiplication by x^(8·<paramref name="length"/>) modulo the polynomial, one 256-entry table per
    /// state byte; the operator is linear, so the four lookups xor together into the whole product.
    /// </summary>
    private static uint[] BuildShiftTable(int length)
    {
        var factor = XPow8nModP(length);
        var table = new uint[4 * 256];
        for (var k = 0; k < 4; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                table[(k * 256) + b] = MultiplyModP(factor, (uint)b << (8 * k));
            }
        }
        return table;
    }

    /// <summary>Product of two polynomials modulo the CRC polynomial, in reflected order (bit 31 is x^0).</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        var product = 0u;
        for (var m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
        return product;
    }

    /// <summary>x^(8·<paramref name="n"/>) modulo the CRC polynomial, in reflected order, by square-and-multiply.</summary>
    private static uint XPow8nModP(int n)
    {
        var result = 1u << 31;   // x^0
        var square = 1u << 23;   // x^8
        while (n != 0)
        {
            if ((n & 1) != 0)
            {
                result = MultiplyModP(square, result);
            }
            square = MultiplyModP(square, square);
            n >>= 1;
        }
        return result;
    }
}
