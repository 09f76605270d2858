using System.Text;

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
        var measure = KvWireWriter.Measuring();
        Write(ref measure, result);
        var bytes = new byte[measure.Position];
        var writer = new KvWireWriter(bytes);
        Write(ref writer, result);
        return bytes;
    }

    /// <summary>Decodes a result; its byte fields are slices of <paramref name="source"/>.</summary>
    /// <exception cref="KvFormatException">The bytes are not a well-formed result.</exception>
    public static KvResult Decode(ReadOnlyMemory<byte> source)
    {
        var reader = new KvWireReader(source, What);
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
        if (reader.ReadBool())
        {
            try
            {
                error = new UTF8Encoding(false, true).GetString(reader.ReadBytes(int.MaxValue, "the error length").Span);
            }
            catch (DecoderFallbackException e)
            {
                throw new KvFormatException($"Malformed {What}: the error message is not UTF-8.", e);
            }
        }
        var revision = reader.ReadVarInt64();
        var succeeded = reader.ReadBool();
        var responses = new KvOpResult[reader.ReadLength(reader.Remaining, "the response count")];
        for (var i = 0; i < responses.Length; i++)
        {
            var kind = (KvOpKind)reader.ReadByte();
            if (kind is < KvOpKind.Get or > KvOpKind.DeleteRange)
            {
                throw new KvFormatException($"Malformed {What}: unknown operation kind {(int)kind}.");
            }
            var more = reader.ReadBool();
            var deleted = reader.ReadVarInt64();
            var items = new KvKeyValue[reader.ReadLength(reader.Remaining, "the item count")];
            for (var j = 0; j < items.Length; j++)
            {
                items[j] = new KvKeyValue(
                    reader.ReadBytes(int.MaxValue, "a key length"),
                    reader.ReadBytes(int.MaxValue, "a value length"),
                    reader.ReadVarInt64(),
                    reader.ReadVarInt64(),
                    reader.ReadVarInt64(),
                    reader.ReadVarInt64());
            }
            responses[i] = new KvOpResult(kind, items, more, deleted);
        }
        KvLeaseInfo? lease = null;
        if (reader.ReadBool())
        {
            lease = new KvLeaseInfo(reader.ReadVarInt64(), reader.ReadVarInt64(), reader.ReadVarInt64());
        }
        reader.ExpectEnd();
        return new KvResult(status, error, revision, succeeded, responses, lease);
    }

    private static void Write(ref KvWireWriter writer, KvResult result)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteByte((byte)result.Status);
        writer.WriteBool(result.Error is not null);
        if (result.Error is not null)
        {
            writer.WriteBytes(Encoding.UTF8.GetBytes(result.Error));
        }
        writer.WriteVarInt64(result.Revision);
        writer.WriteBool(result.Succeeded);
        writer.WriteVarUInt64((ulong)result.Responses.Count);
        foreach (var response in result.Responses)
        {
            writer.WriteByte((byte)response.Kind);
            writer.WriteBool(response.More);
            writer.WriteVarInt64(response.Deleted);
            writer.WriteVarUInt64((ulong)response.Items.Count);
            foreach (var item in response.Items)
            {
                writer.WriteBytes(item.Key.Span);
                writer.WriteBytes(item.Value.Span);
                writer.WriteVarInt64(item.CreateRevision);
                writer.WriteVarInt64(item.ModRevision);
                writer.WriteVarInt64(item.Version);
                writer.WriteVarInt64(item.LeaseId);
            }
        }
        writer.WriteBool(result.Lease is not null);
        if (result.Lease is not null)
        {
            writer.WriteVarInt64(result.Lease.Id);
            writer.WriteVarInt64(result.Lease.TtlMs);
            writer.WriteVarInt64(result.Lease.ExpiresAtMs);
        }
    }
}
