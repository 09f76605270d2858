using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Dfs.Client.Master.Protocol;

/// <summary>
/// The internal protocol between masters and their clients (gateway, chunk servers, tools), on each
/// master's Raft port: a request frame carries a key-value command and the client's session; the response
/// frame with the same request id carries the result, or the error that stopped it.
/// </summary>
public static class MasterProtocol
{
    /// <summary>Frame types of the client protocol; Raft's own frames use 0x01xx.</summary>
    public const ushort RequestFrame = 0x0201;

    public const ushort ResponseFrame = 0x0202;

    /// <summary>True for frame types of this protocol (a master's port serves both Raft peers and clients).</summary>
    public static bool IsClientFrame(ushort type) => type is RequestFrame or ResponseFrame;

    public const int RequestHeaderSize = 1 + 16 + 8 + 8;

    /// <summary>The first byte of a response that carries a result; any other value is a <see cref="MasterErrorCode"/>.</summary>
    private const byte OkStatus = 0;

    /// <summary>Writes a request: kind, client id, sequence, lowest unanswered, then the encoded command (empty for a status request).</summary>
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
        if (kind is not (MasterRequestKind.Command or MasterRequestKind.Read or MasterRequestKind.Status))
        {
            throw new InvalidDataException($"Unknown master request kind {bytes[0]}.");
        }
        return new MasterRequest(kind, new Guid(bytes.AsSpan(1, 16)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(25)),
            bytes.AsMemory(RequestHeaderSize));
    }

    /// <summary>
    /// Writes a response. A result is status 0 then the encoded KvResult (a status request's: the <see cref="MasterStatusCodec"/> body); an error is its code, the leader's id
    /// (u16 length, UTF-8; empty unless the code is <see cref="MasterErrorCode.NotLeader"/>), then the message (UTF-8).
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, MasterResponse response)
    {
        if (response.Error is not { } error)
        {
            var span = output.GetSpan(1 + response.Result.Length);
            span[0] = OkStatus;
            response.Result.Span.CopyTo(span[1..]);
            output.Advance(1 + response.Result.Length);
            return;
        }
        var leader = Encoding.UTF8.GetBytes(error.LeaderId ?? "");
        var message = Encoding.UTF8.GetBytes(error.Message);
        var size = 1 + 2 + leader.Length + message.Length;
        var target = output.GetSpan(size);
        target[0] = (byte)error.Code;
        BinaryPrimitives.WriteUInt16LittleEndian(target[1..], checked((ushort)leader.Length));
        leader.CopyTo(target[3..]);
        message.CopyTo(target[(3 + leader.Length)..]);
        output.Advance(size);
    }

    /// <exception cref="InvalidDataException">The payload is empty, names an unknown error code, or ends inside the leader's id.</exception>
    public static MasterResponse ReadResponse(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 1)
        {
            throw new InvalidDataException("Empty master response.");
        }
        var bytes = payload.ToArray();
        if (bytes[0] == OkStatus)
        {
            return MasterResponse.Ok(bytes.AsMemory(1));
        }
        var code = (MasterErrorCode)bytes[0];
        if (!Enum.IsDefined(code))
        {
            throw new InvalidDataException($"Unknown master error code {bytes[0]}.");
        }
        if (bytes.Length < 3 || bytes.Length < 3 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(1)))
        {
            throw new InvalidDataException($"A {code} response ends inside its leader id ({bytes.Length} bytes).");
        }
        var leaderLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(1));
        var leader = leaderLength == 0 ? null : Encoding.UTF8.GetString(bytes, 3, leaderLength);
        var message = Encoding.UTF8.GetString(bytes, 3 + leaderLength, bytes.Length - 3 - leaderLength);
        return MasterResponse.Failed(new MasterError(code, message, leader));
    }
}
