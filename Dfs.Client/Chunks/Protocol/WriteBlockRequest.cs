using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>
/// Sets up one node of a write pipeline: the chunk, its version, and the rest of the chain below this node.
/// With <see cref="Resume"/>, continues an interrupted write at <see cref="Offset"/> under the new <see cref="Version"/>.
/// </summary>
public sealed record WriteBlockRequest(ChunkId Id, long Version, bool Resume, long Offset, IReadOnlyList<ChunkEndpoint> Downstream)
    : IChunkMessage<WriteBlockRequest>
{
    /// <summary>The longest chain a request may describe.</summary>
    public const int MaxChainLength = 16;

    public static ChunkFrameType FrameType => ChunkFrameType.WriteBlock;

    public int Size => 8 + 8 + 1 + 8 + 4 + Downstream.Sum(e => WireWriter.StringSize(WireLength.UInt16, e.Host) + 2);

    public void Write(ref WireWriter writer)
    {
        writer.WriteUInt64(Id.Value);
        writer.WriteInt64(Version);
        writer.WriteByte(Resume ? (byte)1 : (byte)0);
        writer.WriteInt64(Offset);
        writer.WriteInt32(Downstream.Count);
        foreach (var endpoint in Downstream)
        {
            writer.WriteString(WireLength.UInt16, endpoint.Host);
            writer.WriteUInt16((ushort)endpoint.Port);
        }
    }

    public static WriteBlockRequest Read(ref WireReader reader)
    {
        var id = new ChunkId(reader.ReadUInt64());
        var version = reader.ReadInt64();
        var resume = reader.ReadByte() switch
        {
            0 => false,
            1 => true,
            var b => throw new ChunkProtocolException($"WriteBlock mode {b} is neither 0 (new) nor 1 (resume)."),
        };
        var offset = reader.ReadInt64();
        var count = reader.ReadCount(WireLength.Int32, 4);
        if (count > MaxChainLength)
        {
            throw new ChunkProtocolException($"WriteBlock names {count} downstream nodes; at most {MaxChainLength} are allowed.");
        }
        var downstream = new ChunkEndpoint[count];
        for (var i = 0; i < count; i++)
        {
            downstream[i] = new ChunkEndpoint(reader.ReadString(WireLength.UInt16), reader.ReadUInt16());
        }
        if (version < 1 || offset < 0 || (!resume && offset != 0))
        {
            throw new ChunkProtocolException($"WriteBlock for chunk {id} has version {version} and offset {offset}; versions start at 1 and only a resume has an offset.");
        }
        return new WriteBlockRequest(id, version, resume, offset, downstream);
    }
}
