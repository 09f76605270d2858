using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>The answer to <see cref="OpenLocalRequest"/>: the replica, its data file's path and every block's CRC-32C.</summary>
public sealed record LocalReplicaMessage(LocalReplica Replica) : IChunkMessage<LocalReplicaMessage>
{
    public static ChunkFrameType FrameType => ChunkFrameType.LocalReplica;

    public int Size => ChunkInfoMessage.EncodedSize + WireWriter.StringSize(WireLength.UInt16, Replica.DataPath) + 4 + (4 * Replica.BlockCrcs.Count);

    public void Write(ref WireWriter writer)
    {
        ChunkInfoMessage.WriteInfo(ref writer, Replica.Info);
        writer.WriteString(WireLength.UInt16, Replica.DataPath);
        writer.WriteInt32(Replica.BlockCrcs.Count);
        foreach (var crc in Replica.BlockCrcs)
        {
            writer.WriteUInt32(crc);
        }
    }

    public static LocalReplicaMessage Read(ref WireReader reader)
    {
        var info = ChunkInfoMessage.ReadInfo(ref reader);
        var path = reader.ReadString(WireLength.UInt16);
        var crcs = new uint[reader.ReadCount(WireLength.Int32, 4)];
        for (var i = 0; i < crcs.Length; i++)
        {
            crcs[i] = reader.ReadUInt32();
        }
        if (info.Length < 0 || crcs.Length != ChunkLayout.BlockCount(info.Length))
        {
            throw new ChunkProtocolException($"A local replica of {info.Length} bytes came with {crcs.Length} block checksums.");
        }
        return new LocalReplicaMessage(new LocalReplica(info, path, crcs));
    }
}
