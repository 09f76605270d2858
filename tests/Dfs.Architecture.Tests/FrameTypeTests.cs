using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Raft.Consensus.Transport;

namespace Dfs.Architecture.Tests;

/// <summary>Every protocol's frame types lie in its range of <see cref="FrameTypeRanges"/>, which do not overlap.</summary>
public sealed class FrameTypeTests
{
    [Fact]
    public void Ranges_DoNotOverlap()
    {
        var ranges = FrameTypeRanges.All.OrderBy(r => r.First).ToArray();
        for (var i = 1; i < ranges.Length; i++)
        {
            Assert.True(ranges[i].First > ranges[i - 1].Last, $"{ranges[i - 1].Protocol} and {ranges[i].Protocol} overlap");
        }
    }

    [Fact]
    public void ChunkFrames_LieInTheChunkRange() =>
        AssertOwnedBy("chunk protocol", Enum.GetValues<ChunkFrameType>().Select(t => (ushort)t));

    [Fact]
    public void RaftFrames_LieInTheRaftRange() =>
        AssertOwnedBy("Raft peer transport", typeof(RaftFrameType).GetFields().Where(f => f.IsLiteral).Select(f => (ushort)f.GetRawConstantValue()!));

    private static void AssertOwnedBy(string protocolPrefix, IEnumerable<ushort> types)
    {
        foreach (var type in types)
        {
            var owner = FrameTypeRanges.Owner(type);
            Assert.True(owner is not null && owner.Protocol.StartsWith(protocolPrefix, StringComparison.Ordinal),
                $"frame type 0x{type:X4} belongs to {owner?.Protocol ?? "no protocol"}, expected {protocolPrefix}");
        }
    }
}
