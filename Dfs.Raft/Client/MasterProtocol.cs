using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Dfs.Raft.Client;

/// <summary>
/// The internal protocol between masters and their clients (gateway, chunk servers, tools), on each
/// master's Raft port: a request frame carries a key-value command and the client's session; the response
/// frame with the same request id carries the result, or why there is none.
/// </summary>
public static class MasterProtocol
{
    /// <summary>Frame types of the client protocol; Raft's own frames use 0x01xx.</summary>
    public const ushort RequestFrame = 0x0201;

    public const ushort ResponseFrame = 0x0202;

    /// <summary>True for frame types of this protocol (a master's port serves both Raft peers and clients).</summary>
    public static bool IsClientFrame(ushort type) => type is RequestFrame or ResponseFrame;

    public const int RequestHeaderSize = 1 + 16 + 8 + 8;

    /// <summary>Writes a request: kind, client id, sequence, lowest unanswered, then the encoded command.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, MasterRequestKind kind, Guid clientId, long sequence, long lowestUnanswered, ReadOnlySpan<byte> command)
    {
        var span = output.GetSpan(RequestHeaderSize + command.Length);
        span[0] = (byte)kind;
        clientId.TryWriteBytes(span[1..17]);
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[25..], lowestUnanswered);
        command.CopyTo(span[RequestHeaderSize..]);
        output.Advance(RequestHeaderSize + command.Length);
    }

    /// <exception cref="InvalidDataException">The payload is too short or names an unknown kind.</exception>
    public static MasterRequest ReadRequest(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < RequestHeaderSize)
        {
            throw new InvalidDataException($"A master request needs at least {RequestHeaderSize} bytes; got {payload.Length}.");
        }
        var bytes = payload.ToArray();
        var kind = (MasterRequestKind)bytes[0];
        if (kind is not (MasterRequestKind.Command or MasterRequestKind.Read))
        {
            throw new InvalidDataException($"Unknown master request kind {bytes[0]}.");
        }
        return new MasterRequest(kind, new Guid(bytes.AsSpan(1, 16)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(25)),
            bytes.AsMemory(RequestHeaderSize));
    }

    /// <summary>Writes a response: status, then the result bytes (Ok), the leader id (NotLeader) or a message.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, MasterResponseStatus status, ReadOnlySpan<byte> body)
    {
        var span = output.GetSpan(1 + body.Length);
        span[0] = (byte)status;
        body.CopyTo(span[1..]);
        output.Advance(1 + body.Length);
    }

    public static void WriteResponse(IBufferWriter<byte> output, MasterResponseStatus status, string? text) =>
        WriteResponse(output, status, Encoding.UTF8.GetBytes(text ?? ""));

    /// <exception cref="InvalidDataException">The payload is empty.</exception>
    public static MasterResponse ReadResponse(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 1)
        {
            throw new InvalidDataException("Empty master response.");
        }
        var bytes = payload.ToArray();
        return new MasterResponse((MasterResponseStatus)bytes[0], bytes.AsMemory(1));
    }
}

/// <summary>What a request asks: replicate a command, or read linearizably (a read-only command, never logged).</summary>
public enum MasterRequestKind : byte
{
    Command = 1,
    Read = 2,
}

/// <summary>How a master answered.</summary>
public enum MasterResponseStatus : byte
{
    /// <summary>Done; the body is the encoded KvResult.</summary>
    Ok = 0,

    /// <summary>Not the leader; the body is the leader's id, empty if none is known.</summary>
    NotLeader = 1,

    /// <summary>The request was malformed or invalid; the body says why. Retrying will not help.</summary>
    Invalid = 2,

    /// <summary>The command may or may not have been applied (leadership changed under it); retry with the same sequence number.</summary>
    OutcomeUnknown = 3,

    /// <summary>The master cannot serve now (overloaded, shutting down); retry elsewhere or later.</summary>
    Unavailable = 4,
}

/// <summary>A decoded request.</summary>
public sealed record MasterRequest(MasterRequestKind Kind, Guid ClientId, long Sequence, long LowestUnanswered, ReadOnlyMemory<byte> Command);

/// <summary>A decoded response.</summary>
public readonly record struct MasterResponse(MasterResponseStatus Status, ReadOnlyMemory<byte> Body)
{
    public string Text => Encoding.UTF8.GetString(Body.Span);
}
