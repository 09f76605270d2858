using System.Buffers;
using Dfs.Common.Wire;

namespace Dfs.Client.ChunkServers;

/// <summary>
/// Chunk servers' heartbeats to the masters, on each master's Raft port: a <see cref="HeartbeatRequest"/> frame, answered
/// by a <see cref="HeartbeatReply"/> frame with the same request id. One connection per (chunk server, master); one
/// heartbeat in flight on it at a time.
/// </summary>
public static class HeartbeatProtocol
{
    /// <summary>A heartbeat; its payload is a <see cref="HeartbeatRequest"/>.</summary>
    public const ushort RequestFrame = 0x0301;

    /// <summary>The master's answer; its payload is a <see cref="HeartbeatReply"/>.</summary>
    public const ushort ReplyFrame = 0x0302;

    /// <summary>Chunks a heartbeat carries in one list at most (a full report is sent in pages of this many), so a frame stays well below the frame limit.</summary>
    public const int MaxChunksPerHeartbeat = 16 * 1024;

    /// <summary>Commands of one kind a reply carries at most.</summary>
    public const int MaxCommandsPerReply = 16 * 1024;

    /// <summary>Source endpoints a replicate command names at most.</summary>
    public const int MaxSources = 16;

    /// <summary>True for frame types of this protocol (a master's port serves Raft peers, clients and heartbeats).</summary>
    public static bool IsHeartbeatFrame(ushort type) => type is RequestFrame or ReplyFrame;

    /// <summary>Encodes <paramref name="request"/> into <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, HeartbeatRequest request)
    {
        var measure = WireWriter.Measuring();
        request.Write(ref measure);
        var writer = new WireWriter(output.GetSpan(measure.Position));
        request.Write(ref writer);
        output.Advance(writer.Position);
    }

    /// <summary>Encodes <paramref name="reply"/> into <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, HeartbeatReply reply)
    {
        var measure = WireWriter.Measuring();
        reply.Write(ref measure);
        var writer = new WireWriter(output.GetSpan(measure.Position));
        reply.Write(ref writer);
        output.Advance(writer.Position);
    }

    /// <exception cref="WireFormatException">The payload is not a well-formed heartbeat.</exception>
    public static HeartbeatRequest ReadRequest(ReadOnlySequence<byte> payload) => Read(payload, static (ref WireReader r) => HeartbeatRequest.Read(ref r));

    /// <exception cref="WireFormatException">The payload is not a well-formed reply.</exception>
    public static HeartbeatReply ReadReply(ReadOnlySequence<byte> payload) => Read(payload, static (ref WireReader r) => HeartbeatReply.Read(ref r));

    private delegate T Decoder<out T>(ref WireReader reader);

    private static T Read<T>(ReadOnlySequence<byte> payload, Decoder<T> decode)
    {
        if (payload.IsSingleSegment)
        {
            return ReadSpan(payload.First, decode);
        }
        var rented = ArrayPool<byte>.Shared.Rent(checked((int)payload.Length));
        try
        {
            payload.CopyTo(rented);
            return ReadSpan(rented.AsMemory(0, (int)payload.Length), decode);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static T ReadSpan<T>(ReadOnlyMemory<byte> bytes, Decoder<T> decode)
    {
        var reader = new WireReader(bytes.Span);
        var value = decode(ref reader);
        reader.EnsureEnd("a heartbeat message");
        return value;
    }
}
