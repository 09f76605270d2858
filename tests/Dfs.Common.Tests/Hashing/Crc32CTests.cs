using System.Buffers;
using Dfs.Common.Hashing;

namespace Dfs.Common.Tests.Hashing;

public class Crc32CTests
{
    private const int Seed = 20261121;

    [Fact]
    public void Compute_OfCheckString_IsTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Compute_Of32ZeroBytes_IsTheKnownVector() =>
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void Compute_Of32OnesBytes_IsTheKnownVector() =>
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));

    [Fact]
    public void Compute_OfEmptyInput_IsZero() =>
        Assert.Equal(0u, Crc32C.Compute(ReadOnlySpan<byte>.Empty));

    [Fact]
    public void Compute_ForEveryLengthUpTo2048_MatchesBitwiseReference()
    {
        var data = RandomBytes(new Random(Seed), 2048 + 7);
        for (var length = 0; length <= 2048; length++)
        {
            // An odd start offset keeps the 8-byte reads unaligned.
            var slice = data.AsSpan(length % 8, length);
            AssertEqualCrc(ReferenceCrc(slice), Crc32C.Compute(slice), $"length {length}");
        }
    }

    [Fact]
    public void Compute_ForRandomLengthsAndOffsetsUpTo1MiB_MatchesBitwiseReference()
    {
        var random = new Random(Seed + 1);
        var data = RandomBytes(random, (1 << 20) + 64);
        // Lengths around every tier boundary of the interleaved loop, then random ones.
        int[] boundaries = [383, 384, 385, 3071, 3072, 3073, 3456, 24575, 24576, 24577, 24960, 27648, 65536, 1 << 20];
        var lengths = boundaries.Concat(Enumerable.Range(0, 24).Select(_ => random.Next(1, (1 << 20) + 1)));
        foreach (var length in lengths)
        {
            var offset = random.Next(0, data.Length - length + 1);
            var slice = data.AsSpan(offset, length);
            AssertEqualCrc(ReferenceCrc(slice), Crc32C.Compute(slice), $"length {length} at offset {offset} (seed {Seed + 1})");
        }
    }

    [Fact]
    public void Compute_OfLargeUniformInputs_MatchesBitwiseReference()
    {
        // On zeros the second and third streams stay at state zero, so the result rests on the shift tables
        // alone; the other fills check the same shapes with non-zero stream states.
        foreach (var fill in new byte[] { 0x00, 0xFF, 0xA5 })
        {
            var data = new byte[100_000];
            Array.Fill(data, fill);
            AssertEqualCrc(ReferenceCrc(data), Crc32C.Compute(data), $"fill 0x{fill:X2}");
        }
    }

    [Fact]
    public void Append_ChainedAcrossArbitrarySplits_EqualsOneShot()
    {
        var random = new Random(Seed + 2);
        var data = RandomBytes(random, 200_000);
        var expected = Crc32C.Compute(data);
        for (var trial = 0; trial < 40; trial++)
        {
            var state = uint.MaxValue;
            var position = 0;
            var splits = new List<int>();
            while (position < data.Length)
            {
                // Mix tiny pieces with pieces long enough to take the interleaved path.
                var piece = Math.Min(data.Length - position, random.Next(2) == 0 ? random.Next(0, 17) : random.Next(0, 70_000));
                state = Crc32C.Append(state, data.AsSpan(position, piece));
                splits.Add(piece);
                position += piece;
            }
            AssertEqualCrc(expected, ~state, $"pieces [{string.Join(", ", splits)}]");
        }
    }

    [Fact]
    public void Append_FromNonDefaultState_MatchesBitwiseReference()
    {
        var random = new Random(Seed + 3);
        var data = RandomBytes(random, 70_000);
        foreach (var initial in new uint[] { 0, 1, 0x12345678, 0xDEADBEEF })
        {
            Assert.Equal(ReferenceAppend(initial, data), Crc32C.Append(initial, data));
        }
    }

    [Fact]
    public void Compute_OfSequenceWithManySegments_EqualsOneShot()
    {
        var random = new Random(Seed + 4);
        var data = RandomBytes(random, 300_000);
        for (var trial = 0; trial < 10; trial++)
        {
            var sequence = Segment(data, random, out var segmentCount);
            Assert.Equal(data.Length, sequence.Length);
            AssertEqualCrc(Crc32C.Compute(data), Crc32C.Compute(in sequence), $"{segmentCount} segments");
        }
    }

    [Fact]
    public void Compute_OfSingleSegmentSequence_EqualsSpan()
    {
        var data = RandomBytes(new Random(Seed + 5), 65_536);
        var sequence = new ReadOnlySequence<byte>(data);
        Assert.Equal(Crc32C.Compute(data), Crc32C.Compute(in sequence));
    }

    [Fact]
    public void Compute_WhenOneByteChanges_ChangesTheCrc()
    {
        var data = RandomBytes(new Random(Seed + 6), 65_536);
        var before = Crc32C.Compute(data);
        foreach (var index in new[] { 0, 21_845, 43_690, 65_535 })
        {
            data[index] ^= 0x01;
            Assert.NotEqual(before, Crc32C.Compute(data));
            data[index] ^= 0x01;
        }
        Assert.Equal(before, Crc32C.Compute(data));
    }

    [Fact]
    public void Combine_OfTheCrcsOfTwoParts_IsTheCrcOfTheWhole()
    {
        var data = RandomBytes(new Random(Seed + 7), 200_000);
        foreach (var split in new[] { 0, 1, 7, 4096, 65_536, 131_071, 199_999, 200_000 })
        {
            var combined = Crc32C.Combine(Crc32C.Compute(data.AsSpan(0, split)), Crc32C.Compute(data.AsSpan(split)), data.Length - split);
            AssertEqualCrc(Crc32C.Compute(data), combined, $"split at {split}");
        }
    }

    [Fact]
    public void Combine_OfManyBlocksInOrder_IsTheCrcOfTheWhole()
    {
        var data = RandomBytes(new Random(Seed + 8), (5 * 65_536) + 333);
        var whole = 0u;
        for (var start = 0; start < data.Length; start += 65_536)
        {
            var block = data.AsSpan(start, Math.Min(65_536, data.Length - start));
            whole = Crc32C.Combine(whole, Crc32C.Compute(block), block.Length);
        }
        AssertEqualCrc(Crc32C.Compute(data), whole, "five blocks and a tail");
    }

    private static void AssertEqualCrc(uint expected, uint actual, string what)
    {
        if (expected != actual)
        {
            Assert.Fail($"CRC-32C mismatch for {what}: expected 0x{expected:X8}, got 0x{actual:X8}");
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Cuts <paramref name="data"/> into segments of random sizes, some empty, some long.</summary>
    private static ReadOnlySequence<byte> Segment(byte[] data, Random random, out int count)
    {
        BufferSegment? first = null;
        BufferSegment? last = null;
        count = 0;
        var position = 0;
        while (position < data.Length)
        {
            var length = Math.Min(data.Length - position, random.Next(3) switch
            {
                0 => random.Next(0, 8),
                1 => random.Next(0, 1000),
                _ => random.Next(0, 40_000),
            });
            var memory = new ReadOnlyMemory<byte>(data, position, length);
            last = last is null ? new BufferSegment(memory, 0) : last.Append(memory);
            first ??= last;
            position += length;
            count++;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Bit-at-a-time CRC-32C: reflected, initial value all ones, final complement.</summary>
    private static uint ReferenceCrc(ReadOnlySpan<byte> data) => ~ReferenceAppend(uint.MaxValue, data);

    private static uint ReferenceAppend(uint state, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            state ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                state = (state & 1) != 0 ? (state >> 1) ^ 0x82F63B78u : state >> 1;
            }
        }
        return state;
    }

    private sealed class BufferSegment : ReadOnlySequenceSegment<byte>
    {
        public BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public BufferSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new BufferSegment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
