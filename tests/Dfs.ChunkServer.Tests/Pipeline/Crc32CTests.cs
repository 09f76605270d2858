using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>The CRC-32C every packet and block is checked with: identical to the bitwise definition at every length.</summary>
public sealed class Crc32CTests
{
    [Fact]
    public void Compute_OfTheStandardCheckInput_IsTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Compute_EqualsTheBitwiseDefinition_ForLengthsAroundTheLaneBoundaries()
    {
        var data = new byte[3 * 4096 * 3 + 100];
        new Random(5).NextBytes(data);
        foreach (var length in new[] { 0, 1, 7, 8, 9, 4095, 12_287, 12_288, 12_289, 24_576, 24_583, 36_963, data.Length })
        {
            Assert.Equal(Bitwise(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Append_InPieces_EqualsComputeOfTheWhole()
    {
        var data = new byte[100_000];
        new Random(6).NextBytes(data);
        var state = uint.MaxValue;
        state = Crc32C.Append(state, data.AsSpan(0, 13_000));
        state = Crc32C.Append(state, data.AsSpan(13_000, 50_001));
        state = Crc32C.Append(state, data.AsSpan(63_001));

        Assert.Equal(Crc32C.Compute(data), ~state);
        Assert.Equal(Bitwise(data), ~state);
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }
}
