using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Common.Wire;

namespace Dfs.Client.Metadata.Protocol;

/// <summary>
/// The body of a successful <c>Metadata</c> response: the operation's result in the same field encodings as
/// <see cref="MetadataRequestCodec"/>. The client knows which result to decode from the operation it sent.
/// </summary>
/// <remarks>Every decoder throws <see cref="InvalidDataException"/> when the bytes end early, are malformed or go on after the result.</remarks>
public static class MetadataResultCodec
{
    public static byte[] Encode(FileLocation value) => MetadataWire.Encode(value, WriteLocation);

    public static FileLocation DecodeLocation(ReadOnlySpan<byte> body) => Decode(body, "file location", ReadLocation);

    public static byte[] Encode(MetadataEntry value) => MetadataWire.Encode(value, WriteEntry);

    public static MetadataEntry DecodeEntry(ReadOnlySpan<byte> body) => Decode(body, "entry", ReadEntry);

    public static byte[] Encode(DirectoryPage value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteLength(WireLength.VarUInt, v.Entries.Count);
        foreach (var entry in v.Entries)
        {
            WriteEntry(ref w, entry);
        }
        w.WriteBoolean(v.More);
    });

    public static DirectoryPage DecodePage(ReadOnlySpan<byte> body) => Decode(body, "directory page", static (ref r) =>
    {
        var entries = new MetadataEntry[r.ReadCount(WireLength.VarUInt, 8, field: "entry count")];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = ReadEntry(ref r);
        }
        return new DirectoryPage(entries, r.ReadBoolean("more"));
    });

    public static byte[] Encode(IReadOnlyList<FileVersion> value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteLength(WireLength.VarUInt, v.Count);
        foreach (var version in v)
        {
            WriteVersion(ref w, version);
        }
    });

    public static IReadOnlyList<FileVersion> DecodeVersions(ReadOnlySpan<byte> body) => Decode<IReadOnlyList<FileVersion>>(body, "version list", static (ref r) =>
    {
        var versions = new FileVersion[r.ReadCount(WireLength.VarUInt, 8, field: "version count")];
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i] = ReadVersion(ref r);
        }
        return versions;
    });

    public static byte[] Encode(bool value) => [value ? (byte)1 : (byte)0];

    public static bool DecodeBoolean(ReadOnlySpan<byte> body) => Decode(body, "flag", static (ref r) => r.ReadBoolean("flag"));

    /// <summary>The empty result of an operation that answers nothing but success.</summary>
    public static byte[] Empty { get; } = [];

    public static void DecodeEmpty(ReadOnlySpan<byte> body) => Decode(body, "empty result", static (ref r) => true);

    public static byte[] Encode(DeleteResult value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        MetadataWire.Long(ref w, v.EntriesDeleted);
        MetadataWire.ChunkIds(ref w, v.DroppedChunkIds);
    });

    public static DeleteResult DecodeDelete(ReadOnlySpan<byte> body) => Decode(body, "delete result", static (ref r) =>
        new DeleteResult((int)MetadataWire.Long(ref r, "entries deleted"), MetadataWire.ChunkIds(ref r, "dropped chunks")));

    public static byte[] Encode(ChunkAllocation value) => MetadataWire.Encode(value, WriteAllocation);

    public static ChunkAllocation DecodeAllocation(ReadOnlySpan<byte> body) => Decode(body, "chunk allocation", ReadAllocation);

    public static byte[] Encode(IReadOnlyList<ChunkAllocation> value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteLength(WireLength.VarUInt, v.Count);
        foreach (var allocation in v)
        {
            WriteAllocation(ref w, allocation);
        }
    });

    public static IReadOnlyList<ChunkAllocation> DecodeAllocations(ReadOnlySpan<byte> body) =>
        Decode<IReadOnlyList<ChunkAllocation>>(body, "chunk allocations", static (ref r) =>
        {
            var allocations = new ChunkAllocation[r.ReadCount(WireLength.VarUInt, 10, field: "allocation count")];
            for (var i = 0; i < allocations.Length; i++)
            {
                allocations[i] = ReadAllocation(ref r);
            }
            return allocations;
        });

    private static void WriteAllocation(ref WireWriter w, ChunkAllocation v)
    {
        w.WriteUInt64(v.Id.Value);
        MetadataWire.Long(ref w, v.Version);
        MetadataWire.Addresses(ref w, v.Pipeline);
    }

    private static ChunkAllocation ReadAllocation(ref WireReader r) =>
        new(new ChunkId(r.ReadUInt64("chunk id")), MetadataWire.Long(ref r, "chunk version"), MetadataWire.Addresses(ref r, "pipeline"));

    public static byte[] Encode(CommitResult value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        MetadataWire.Long(ref w, v.Version);
        MetadataWire.Longs(ref w, v.DroppedVersions);
        MetadataWire.ChunkIds(ref w, v.DroppedChunkIds);
    });

    public static CommitResult DecodeCommit(ReadOnlySpan<byte> body) => Decode(body, "commit result", static (ref r) =>
        new CommitResult(MetadataWire.Long(ref r, "version"), MetadataWire.Longs(ref r, "dropped versions"), MetadataWire.ChunkIds(ref r, "dropped chunks")));

    public static byte[] Encode(LockGrant value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteBoolean(v.Held);
        MetadataWire.String(ref w, v.Owner);
        MetadataWire.Long(ref w, v.LeaseId);
        MetadataWire.Long(ref w, v.Position);
        w.WriteBoolean(v.Holder is not null);
        if (v.Holder is { } holder)
        {
            WriteHolder(ref w, holder);
        }
        MetadataWire.Long(ref w, v.ExpiresMs);
    });

    public static LockGrant DecodeGrant(ReadOnlySpan<byte> body) => Decode(body, "lock grant", static (ref r) =>
    {
        var held = r.ReadBoolean("held");
        var owner = MetadataWire.String(ref r, "owner");
        var lease = MetadataWire.Long(ref r, "lease id");
        var position = (int)MetadataWire.Long(ref r, "position");
        var holder = r.ReadBoolean("holder flag") ? ReadHolder(ref r) : null;
        return new LockGrant(held, owner, lease, position, holder, MetadataWire.Long(ref r, "expires"));
    });

    public static byte[] Encode(IReadOnlyList<LockHolder> value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteLength(WireLength.VarUInt, v.Count);
        foreach (var holder in v)
        {
            WriteHolder(ref w, holder);
        }
    });

    public static IReadOnlyList<LockHolder> DecodeHolders(ReadOnlySpan<byte> body) => Decode<IReadOnlyList<LockHolder>>(body, "lock queue", static (ref r) =>
    {
        var holders = new LockHolder[r.ReadCount(WireLength.VarUInt, 2, field: "queue length")];
        for (var i = 0; i < holders.Length; i++)
        {
            holders[i] = ReadHolder(ref r);
        }
        return holders;
    });

    public static byte[] Encode(ChunkServersView value) => MetadataWire.Encode(value, static (ref w, v) =>
    {
        w.WriteLength(WireLength.VarUInt, v.Servers.Count);
        foreach (var s in v.Servers)
        {
            MetadataWire.String(ref w, s.Id);
            MetadataWire.String(ref w, s.Host);
            w.WriteInt32(s.Port);
            w.WriteByte((byte)((s.Alive ? 1 : 0) | (s.Draining ? 2 : 0) | (s.Drained ? 4 : 0)));
            MetadataWire.Long(ref w, s.CapacityBytes);
            MetadataWire.Long(ref w, s.UsedBytes);
            MetadataWire.Long(ref w, s.FreeBytes);
            MetadataWire.Long(ref w, s.ChunkCount);
            MetadataWire.Long(ref w, s.Load);
            MetadataWire.Long(ref w, s.Pid);
            MetadataWire.Long(ref w, s.LastHeardMs);
        }
        MetadataWire.Long(ref w, v.ReplicationFactor);
        MetadataWire.Long(ref w, v.UnderReplicatedChunks);
        MetadataWire.Long(ref w, v.ReplicationsInFlight);
    });

    public static ChunkServersView DecodeChunkServers(ReadOnlySpan<byte> body) => Decode(body, "chunk-server view", static (ref r) =>
    {
        var servers = new ChunkServerView[r.ReadCount(WireLength.VarUInt, 14, field: "server count")];
        for (var i = 0; i < servers.Length; i++)
        {
            var id = MetadataWire.String(ref r, "server id");
            var host = MetadataWire.String(ref r, "server host");
            var port = r.ReadInt32("server port");
            var flags = r.ReadByte("server flags");
            servers[i] = new ChunkServerView(id, host, port, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0,
                MetadataWire.Long(ref r, "capacity"), MetadataWire.Long(ref r, "used"), MetadataWire.Long(ref r, "free"),
                (int)MetadataWire.Long(ref r, "chunk count"), (int)MetadataWire.Long(ref r, "load"), (int)MetadataWire.Long(ref r, "pid"),
                MetadataWire.Long(ref r, "last heard"));
        }
        return new ChunkServersView(servers, (int)MetadataWire.Long(ref r, "replication factor"), (int)MetadataWire.Long(ref r, "under-replicated"),
            (int)MetadataWire.Long(ref r, "replications in flight"));
    });

    private static T Decode<T>(ReadOnlySpan<byte> body, string what, MetadataWire.Read<T> read)
    {
        try
        {
            var reader = new WireReader(body);
            var value = read(ref reader);
            reader.EnsureEnd("A metadata " + what);
            return value;
        }
        catch (WireFormatException e)
        {
            throw new InvalidDataException($"A metadata {what} is malformed: {e.Message}", e);
        }
    }

    private static void WriteEntry(ref WireWriter w, MetadataEntry e)
    {
        MetadataWire.String(ref w, e.Name);
        w.WriteByte((byte)e.Kind);
        w.WriteUInt64(e.Id);
        MetadataWire.Long(ref w, e.Size);
        MetadataWire.Long(ref w, e.Version);
        MetadataWire.Long(ref w, e.ModifiedMs);
    }

    private static MetadataEntry ReadEntry(ref WireReader r)
    {
        var name = MetadataWire.String(ref r, "name");
        var kind = (EntryKind)r.ReadByte("kind");
        if (kind is not (EntryKind.Directory or EntryKind.File))
        {
            throw new WireFormatException($"Unknown entry kind {(byte)kind}.");
        }
        return new MetadataEntry(name, kind, r.ReadUInt64("inode id"), MetadataWire.Long(ref r, "size"), MetadataWire.Long(ref r, "version"),
            MetadataWire.Long(ref r, "modified"));
    }

    private static void WriteVersion(ref WireWriter w, FileVersion v)
    {
        MetadataWire.Long(ref w, v.Number);
        MetadataWire.Long(ref w, v.Size);
        w.WriteUInt32(v.Checksum);
        MetadataWire.Long(ref w, v.CreatedMs);
        MetadataWire.String(ref w, v.ContentType);
        MetadataWire.Chunks(ref w, v.Chunks);
        MetadataWire.Inline(ref w, v.Size, v.Chunks.Count, v.Inline);
    }

    private static FileVersion ReadVersion(ref WireReader r)
    {
        var number = MetadataWire.Long(ref r, "version");
        var size = MetadataWire.Long(ref r, "size");
        var checksum = r.ReadUInt32("checksum");
        var created = MetadataWire.Long(ref r, "created");
        var contentType = MetadataWire.String(ref r, "content type");
        var chunks = MetadataWire.Chunks(ref r);
        return new FileVersion(number, size, checksum, created, contentType, chunks, MetadataWire.Inline(ref r, size, chunks.Length));
    }

    private static void WriteLocation(ref WireWriter w, FileLocation l)
    {
        MetadataWire.String(ref w, l.Path);
        WriteEntry(ref w, l.Entry);
        WriteVersion(ref w, l.Version);
        w.WriteLength(WireLength.VarUInt, l.Chunks.Count);
        foreach (var chunk in l.Chunks)
        {
            MetadataWire.Chunk(ref w, chunk.Chunk);
            MetadataWire.Addresses(ref w, chunk.Replicas);
        }
    }

    private static FileLocation ReadLocation(ref WireReader r)
    {
        var path = MetadataWire.String(ref r, "path");
        var entry = ReadEntry(ref r);
        var version = ReadVersion(ref r);
        var chunks = new LocatedChunk[r.ReadCount(WireLength.VarUInt, 15, NewVersion.MaxChunks, "located chunk count")];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new LocatedChunk(MetadataWire.Chunk(ref r), MetadataWire.Addresses(ref r, "replicas"));
        }
        return new FileLocation(path, entry, version, chunks);
    }

    private static void WriteHolder(ref WireWriter w, LockHolder h)
    {
        MetadataWire.String(ref w, h.ClientId);
        MetadataWire.Long(ref w, h.LeaseId);
    }

    private static LockHolder ReadHolder(ref WireReader r) => new(MetadataWire.String(ref r, "holder"), MetadataWire.Long(ref r, "holder lease"));
}
