using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>One page of a chunk report: the store's usage and a slice of its committed replicas.</summary>
public sealed record ReportPage(StoreUsage Usage, IReadOnlyList<ChunkInfo> Chunks) : IChunkMessage<ReportPage>
{
    /// <summary>Chunks per page, keeping a frame well below the frame limit.</summary>
    public const int MaxChunksPerPage = 8192;

    public static ChunkFrameType FrameType => ChunkFrameType.ReportReply;

    public int Size => 8 + 8 + 4 + 4 + ChunkInfoMessage.EncodedSize * Chunks.Count;

    public void Write(ref WireWriter writer)
    {
        writer.WriteInt64(Usage.UsedBytes);
        writer.WriteInt64(Usage.FreeBytes);
        writer.WriteInt32(Usage.ChunkCount);
        writer.WriteInt32(Chunks.Count);
        foreach (var chunk in Chunks)
        {
            ChunkInfoMessage.WriteInfo(ref writer, chunk);
        }
    }

    public static ReportPage Read(ref WireReader reader)
    {
        var usage = new StoreUsage(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32());
        var chunks = new ChunkInfo[reader.ReadCount(WireLength.Int32, ChunkInfoMessage.EncodedSize)];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = ChunkInfoMessage.ReadInfo(ref reader);
        }
        return new ReportPage(usage, chunks);
    }
}
