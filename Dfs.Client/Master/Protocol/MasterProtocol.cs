using System.Buffers;
using System.Text;
using Dfs.Client.Metadata;
using Dfs.Common.Wire;

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
        var writer = new WireWriter(output.GetSpan(RequestHeaderSize + command.Length));
        writer.WriteByte((byte)kind);
        writer.WriteGuid(clientId);
        writer.WriteInt64(sequence);
        writer.WriteInt64(lowestUnanswered);
        writer.WriteSpan(command);
        output.Advance(writer.Position);
    }

    /// <exception cref="InvalidDataException">The payload is too short or names an unknown kind.</exception>
    public static MasterRequest ReadRequest(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < RequestHeaderSize)
        {
            throw new InvalidDataException($"A master request needs at least {RequestHeaderSize} bytes; got {payload.Length}.");
        }
        var bytes = payload.ToArray();
        var reader = new WireReader(bytes);
        var kind = (MasterRequestKind)reader.ReadByte();
        if (kind is not (MasterRequestKind.Command or MasterRequestKind.Read or MasterRequestKind.Status or MasterRequestKind.Metadata))
        {
            throw new InvalidDataException($"Unknown master request kind {bytes[0]}.");
        }
        var clientId = reader.ReadGuid();
        var sequence = reader.ReadInt64();
        var lowestUnanswered = reader.ReadInt64();
        return new MasterRequest(kind, clientId, sequence, lowestUnanswered, bytes.AsMemory(reader.Position));
    }

    /// <summary>
    /// Writes a response. A result is status 0 then the encoded KvResult (a status request's: the <see cref="MasterStatusCodec"/> body); an error is its code, the leader's id
    /// (u16 length, UTF-8; empty unless the code is <see cref="MasterErrorCode.NotLeader"/>), with <see cref="MasterErrorCode.Metadata"/>
    /// the <see cref="MetadataErrorCode"/> byte, then the message (UTF-8).
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, MasterResponse response)
    {
        if (response.Error is not { } error)
        {
            var ok = new WireWriter(output.GetSpan(1 + response.Result.Length));
            ok.WriteByte(OkStatus);
            ok.WriteSpan(response.Result.Span);
            output.Advance(ok.Position);
            return;
        }
        var leader = error.LeaderId ?? "";
        var message = Encoding.UTF8.GetBytes(error.Message);
        var writer = new WireWriter(output.GetSpan(2 + WireWriter.StringSize(WireLength.UInt16, leader) + message.Length));
        writer.WriteByte((byte)error.Code);
        writer.WriteString(WireLength.UInt16, leader);
        if (error.Code == MasterErrorCode.Metadata)
        {
            writer.WriteByte((byte)(error.MetadataCode ?? MetadataErrorCode.InvalidArgument));
        }
        writer.WriteSpan(message);
        output.Advance(writer.Position);
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
        var reader = new WireReader(bytes.AsSpan(1));
        string leader;
        try
        {
            leader = reader.ReadString(WireLength.UInt16, field: "the leader id");
        }
        catch (WireFormatException e)
        {
            throw new InvalidDataException($"A {code} response ends inside its leader id ({bytes.Length} bytes): {e.Message}", e);
        }
        MetadataErrorCode? metadata = null;
        if (code == MasterErrorCode.Metadata)
        {
            metadata = reader.IsEnd ? null : (MetadataErrorCode)reader.ReadByte();
            if (metadata is null || !Enum.IsDefined(metadata.Value))
            {
                throw new InvalidDataException($"A metadata error response names no known metadata error code ({bytes.Length} bytes).");
            }
        }
        var message = Encoding.UTF8.GetString(reader.ReadSpan(reader.Remaining));
        return MasterResponse.Failed(new MasterError(code, message, leader.Length == 0 ? null : leader) { MetadataCode = metadata });
    }
}
