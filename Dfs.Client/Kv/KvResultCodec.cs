using Dfs.Common.Wire;

namespace Dfs.Client.Kv;

/// <summary>The compact binary form of <see cref="KvResult"/>: what Apply returns to the proposer.</summary>
public static class KvResultCodec
{
    /// <summary>The format byte every encoded result starts with.</summary>
    public const byte FormatVersion = 1;

    private const string What = "key-value result";

    /// <summary>Encodes <paramref name="result"/> into a new array of exactly its length.</summary>
    public static byte[] Encode(KvResult result)
    {
        var measure = WireWriter.Measuring();
        Write(ref measure, result);
        var bytes = new byte[measure.Position];
        var writer = new WireWriter(bytes);
        Write(ref writer, result);
        return bytes;
    }

    /// <summary>Decodes a result; its byte fields are slices of <paramref name="source"/>.</summary>
    /// <exception cref="KvFormatException">The bytes are not a well-formed result.</exception>
    public static KvResult Decode(ReadOnlyMemory<byte> source)
    {
        try
        {
            var reader = new WireReader(source);
            var format = reader.ReadByte();
            if (format != FormatVersion)
            {
                throw new KvFormatException($"Malformed {What}: format {format} is not the supported format {FormatVersion}.");
            }
            var status = (KvStatus)reader.ReadByte();
            if (status > KvStatus.LeaseExists)
            {
                throw new KvFormatException($"Malformed {What}: unknown status {(int)status}.");
            }
            string? error = null;
            if (reader.ReadBoolean())
            {
                error = reader.ReadString(WireLength.VarUInt, field: "the error message", strict: true);
            }
            var revision = reader.ReadVarInt64();
            var succeeded = reader.ReadBoolean();
            var responses = new KvOpResult[reader.ReadLength(WireLength.VarUInt, reader.Remaining, "the response count")];
            for (var i = 0; i < responses.Length; i++)
            {
                var kind = (KvOpKind)reader.ReadByte();
                if (kind is < KvOpKind.Get or > KvOpKind.DeleteRange)
                {
                    throw new KvFormatException($"Malformed {What}: unknown operation kind {(int)kind}.");
                }
                var more = reader.ReadBoolean();
                var deleted = reader.ReadVarInt64();
                var items = new KvKeyValue[reader.ReadLength(WireLength.VarUInt, reader.Remaining, "the item count")];
                for (var j = 0; j < items.Length; j++)
                {
                    items[j] = new KvKeyValue(
                        reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a key"),
                        reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a value"),
                        reader.ReadVarInt64(),
                        reader.ReadVarInt64(),
                        reader.ReadVarInt64(),
                        reader.ReadVarInt64());
                }
                responses[i] = new KvOpResult(kind, items, more, deleted);
            }
            KvLeaseInfo? lease = null;
            if (reader.ReadBoolean())
            {
                lease = new KvLeaseInfo(reader.ReadVarInt64(), reader.ReadVarInt64(), reader.ReadVarInt64());
            }
            reader.EnsureEnd(What);
            return new KvResult(status, error, revision, succeeded, responses, lease);
        }
        catch (WireFormatException e) when (e is not KvFormatException)
        {
            throw new KvFormatException($"Malformed {What}: {e.Message}", e);
        }
    }

    private static void Write(ref WireWriter writer, KvResult result)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteByte((byte)result.Status);
        writer.WriteBoolean(result.Error is not null);
        if (result.Error is not null)
        {
            writer.WriteString(WireLength.VarUInt, result.Error);
        }
        writer.WriteVarInt64(result.Revision);
        writer.WriteBoolean(result.Succeeded);
        writer.WriteVarUInt64((ulong)result.Responses.Count);
        foreach (var response in result.Responses)
        {
            writer.WriteByte((byte)response.Kind);
            writer.WriteBoolean(response.More);
            writer.WriteVarInt64(response.Deleted);
            writer.WriteVarUInt64((ulong)response.Items.Count);
            foreach (var item in response.Items)
            {
                writer.WriteBytes(WireLength.VarUInt, item.Key.Span);
                writer.WriteBytes(WireLength.VarUInt, item.Value.Span);
                writer.WriteVarInt64(item.CreateRevision);
                writer.WriteVarInt64(item.ModRevision);
                writer.WriteVarInt64(item.Version);
                writer.WriteVarInt64(item.LeaseId);
            }
        }
        writer.WriteBoolean(result.Lease is not null);
        if (result.Lease is not null)
        {
            writer.WriteVarInt64(result.Lease.Id);
            writer.WriteVarInt64(result.Lease.TtlMs);
            writer.WriteVarInt64(result.Lease.ExpiresAtMs);
        }
    }
}
