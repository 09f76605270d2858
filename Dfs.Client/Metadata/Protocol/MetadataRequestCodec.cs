using Dfs.Common.Wire;

namespace Dfs.Client.Metadata.Protocol;

/// <summary>
/// The body of a <c>Metadata</c> request of the internal protocol: the <see cref="MetadataOp"/> byte, then only the fields that
/// operation takes, in a fixed order (strings as a LEB128 byte count and UTF-8, numbers as zigzag LEB128 varints, chunk ids as u64).
/// </summary>
public static class MetadataRequestCodec
{
    public static byte[] Encode(MetadataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MetadataWire.Encode(request, Write);
    }

    /// <summary>Decodes a request body.</summary>
    /// <exception cref="MetadataException">InvalidArgument: the bytes end early, name an unknown operation, hold bad UTF-8 or go on after the request.</exception>
    public static MetadataRequest Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new WireReader(body);
            var request = Read(ref reader);
            reader.EnsureEnd("A metadata request");
            return request;
        }
        catch (WireFormatException e)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A metadata request is malformed: {e.Message}");
        }
    }

    private static void Write(ref WireWriter w, MetadataRequest r)
    {
        w.WriteByte((byte)r.Op);
        switch (r.Op)
        {
            case MetadataOp.Lookup:
                MetadataWire.String(ref w, r.Path);
                w.WriteBoolean(r.Version is not null);
                if (r.Version is { } version)
                {
                    MetadataWire.Long(ref w, version);
                }
                break;
            case MetadataOp.Stat or MetadataOp.ListVersions or MetadataOp.LockQueue:
                MetadataWire.String(ref w, r.Path);
                break;
            case MetadataOp.List:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.OptionalString(ref w, r.StartAfter);
                MetadataWire.Long(ref w, r.Limit);
                break;
            case MetadataOp.Mkdir:
                MetadataWire.String(ref w, r.Path);
                w.WriteBoolean(r.Flag);
                break;
            case MetadataOp.Rename:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.String(ref w, r.Target);
                w.WriteBoolean(r.Flag);
                break;
            case MetadataOp.Delete:
                MetadataWire.String(ref w, r.Path);
                w.WriteBoolean(r.Flag);
                MetadataWire.Long(ref w, r.Expected);
                MetadataWire.OptionalString(ref w, r.LockOwner);
                break;
            case MetadataOp.AllocateChunk:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.Strings(ref w, r.Exclude);
                break;
            case MetadataOp.AllocateChunks:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.Long(ref w, r.Count);
                break;
            case MetadataOp.BumpChunkVersion:
                w.WriteUInt64(r.ChunkId);
                MetadataWire.Long(ref w, r.ChunkVersion);
                MetadataWire.Addresses(ref w, r.Survivors);
                break;
            case MetadataOp.Commit:
                var content = r.Content ?? throw new ArgumentException("A commit request carries content.", nameof(r));
                MetadataWire.String(ref w, r.Path);
                MetadataWire.Long(ref w, r.Expected);
                MetadataWire.Long(ref w, content.Size);
                w.WriteUInt32(content.Checksum);
                MetadataWire.Long(ref w, content.CreatedMs);
                MetadataWire.String(ref w, content.ContentType);
                MetadataWire.Chunks(ref w, content.Chunks);
                MetadataWire.Inline(ref w, content.Size, content.Chunks.Count, content.Inline);
                MetadataWire.OptionalString(ref w, r.LockOwner);
                break;
            case MetadataOp.Lock:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.String(ref w, r.Owner);
                MetadataWire.Long(ref w, r.TtlMs);
                MetadataWire.Long(ref w, r.WaitMs);
                break;
            case MetadataOp.RenewLock or MetadataOp.Unlock:
                MetadataWire.String(ref w, r.Path);
                MetadataWire.String(ref w, r.Owner);
                MetadataWire.Long(ref w, r.LeaseId);
                break;
            case MetadataOp.ChunkServers:
                break;
            case MetadataOp.Drain:
                MetadataWire.String(ref w, r.ServerId);
                w.WriteBoolean(r.Flag);
                break;
            default:
                throw new ArgumentException($"Unknown metadata operation {r.Op}.", nameof(r));
        }
    }

    private static MetadataRequest Read(ref WireReader rd)
    {
        var code = rd.ReadByte("operation");
        var op = (MetadataOp)code;
        switch (op)
        {
            case MetadataOp.Lookup:
                var path = MetadataWire.String(ref rd, "path");
                return new MetadataRequest(op) { Path = path, Version = rd.ReadBoolean("version flag") ? MetadataWire.Long(ref rd, "version") : null };
            case MetadataOp.Stat or MetadataOp.ListVersions or MetadataOp.LockQueue:
                return new MetadataRequest(op) { Path = MetadataWire.String(ref rd, "path") };
            case MetadataOp.List:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "path"),
                    StartAfter = MetadataWire.OptionalString(ref rd, "start after"),
                    Limit = (int)Math.Clamp(MetadataWire.Long(ref rd, "limit"), int.MinValue, int.MaxValue),
                };
            case MetadataOp.Mkdir:
                return new MetadataRequest(op) { Path = MetadataWire.String(ref rd, "path"), Flag = rd.ReadBoolean("parents") };
            case MetadataOp.Rename:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "source"),
                    Target = MetadataWire.String(ref rd, "target"),
                    Flag = rd.ReadBoolean("replace"),
                };
            case MetadataOp.Delete:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "path"),
                    Flag = rd.ReadBoolean("recursive"),
                    Expected = MetadataWire.Long(ref rd, "expected version"),
                    LockOwner = MetadataWire.OptionalString(ref rd, "lock owner"),
                };
            case MetadataOp.AllocateChunk:
                return new MetadataRequest(op) { Path = MetadataWire.String(ref rd, "path"), Exclude = MetadataWire.Strings(ref rd, "excluded servers") };
            case MetadataOp.AllocateChunks:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "path"),
                    Count = (int)Math.Clamp(MetadataWire.Long(ref rd, "count"), int.MinValue, int.MaxValue),
                };
            case MetadataOp.BumpChunkVersion:
                return new MetadataRequest(op)
                {
                    ChunkId = rd.ReadUInt64("chunk id"),
                    ChunkVersion = MetadataWire.Long(ref rd, "chunk version"),
                    Survivors = MetadataWire.Addresses(ref rd, "survivors"),
                };
            case MetadataOp.Commit:
                var commitPath = MetadataWire.String(ref rd, "path");
                var expected = MetadataWire.Long(ref rd, "expected version");
                var size = MetadataWire.Long(ref rd, "size");
                var checksum = rd.ReadUInt32("checksum");
                var created = MetadataWire.Long(ref rd, "created");
                var contentType = MetadataWire.String(ref rd, "content type");
                var chunks = MetadataWire.Chunks(ref rd);
                var inline = MetadataWire.Inline(ref rd, size, chunks.Length);
                return new MetadataRequest(op)
                {
                    Path = commitPath,
                    Expected = expected,
                    Content = new NewVersion(size, checksum, created, contentType, chunks, inline),
                    LockOwner = MetadataWire.OptionalString(ref rd, "lock owner"),
                };
            case MetadataOp.Lock:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "path"),
                    Owner = MetadataWire.String(ref rd, "owner"),
                    TtlMs = MetadataWire.Long(ref rd, "ttl"),
                    WaitMs = MetadataWire.Long(ref rd, "wait"),
                };
            case MetadataOp.RenewLock or MetadataOp.Unlock:
                return new MetadataRequest(op)
                {
                    Path = MetadataWire.String(ref rd, "path"),
                    Owner = MetadataWire.String(ref rd, "owner"),
                    LeaseId = MetadataWire.Long(ref rd, "lease id"),
                };
            case MetadataOp.ChunkServers:
                return new MetadataRequest(op);
            case MetadataOp.Drain:
                return new MetadataRequest(op) { ServerId = MetadataWire.String(ref rd, "server id"), Flag = rd.ReadBoolean("drain") };
            default:
                throw new WireFormatException($"Unknown metadata operation {code}.");
        }
    }
}
