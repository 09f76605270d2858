using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>A control message of the chunk protocol: a fixed frame type and a compact binary payload.</summary>
public interface IChunkMessage<TSelf>
    where TSelf : IChunkMessage<TSelf>
{
    static abstract ChunkFrameType FrameType { get; }

    /// <summary>Exact payload size in bytes.</summary>
    int Size { get; }

    void Write(ref WireWriter writer);

    static abstract TSelf Read(ref WireReader reader);
}
