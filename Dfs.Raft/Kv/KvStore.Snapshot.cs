using System.Buffers.Binary;
using Dfs.Client.Kv;
using Dfs.Common.Hashing;

namespace Dfs.Raft.Kv;

internal sealed partial class KvStore
{
    // Snapshot layout (little-endian), covered end to end by a CRC-32C in the trailer:
    //   u32 magic "DKVS", u16 format, u16 zero, i64 applied index, i64 revision, i64 clock ms, i64 key count, i64 lease count
    //   lease count x (i64 id, i64 ttl ms, i64 expires-at ms), by id
    //   key count x (u32 record length, record bytes as in KvRecord), in key order
    //   u32 magic "DKVE", u32 CRC-32C of every byte before it
    private const uint SnapshotMagic = 0x53564B44;
    private const uint SnapshotEndMagic = 0x45564B44;
    private const ushort SnapshotFormat = 1;
    private const int SnapshotHeaderSize = 48;

    /// <summary>A point-in-time capture of the store, cheap to take (records are immutable) and written later outside any lock.</summary>
    public SnapshotCapture Capture()
    {
        var records = new byte[_index.Count][];
        var i = 0;
        foreach (var record in _index.All())
        {
            records[i++] = record;
        }
        var leases = _leases.Values.Select(l => (l.Id, l.TtlMs, l.ExpiresAtMs)).OrderBy(l => l.Id).ToArray();
        return new SnapshotCapture(Revision, NowMs, records, leases);
    }

    /// <summary>Reads a snapshot written by <see cref="SnapshotCapture.WriteTo"/> into a new store, checking it in full.</summary>
    /// <exception cref="InvalidDataException">The snapshot is truncated, corrupt, of another format, or inconsistent.</exception>
    public static KvStore ReadSnapshot(Stream source, out long appliedIndex)
    {
        var reader = new ChecksummedReader(source);
        Span<byte> header = stackalloc byte[SnapshotHeaderSize];
        reader.Read(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SnapshotMagic)
        {
            throw new InvalidDataException("Not a key-value store snapshot: the magic number is wrong.");
        }
        var format = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (format != SnapshotFormat)
        {
            throw new InvalidDataException($"Key-value snapshot format {format} is not the supported format {SnapshotFormat}.");
        }
        appliedIndex = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var store = new KvStore
        {
            Revision = BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            NowMs = BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
        };
        var keyCount = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        var leaseCount = BinaryPrimitives.ReadInt64LittleEndian(header[40..]);
        if (appliedIndex < 0 || store.Revision < 0 || store.NowMs < 0 || keyCount is < 0 or > int.MaxValue || leaseCount is < 0 or > int.MaxValue)
        {
            throw new InvalidDataException("Key-value snapshot header holds impossible numbers (negative or oversized).");
        }

        Span<byte> leaseBytes = stackalloc byte[24];
        var previousId = 0L;
        for (var i = 0L; i < leaseCount; i++)
        {
            reader.Read(leaseBytes);
            var id = BinaryPrimitives.ReadInt64LittleEndian(leaseBytes);
            var ttl = BinaryPrimitives.ReadInt64LittleEndian(leaseBytes[8..]);
            var expiresAt = BinaryPrimitives.ReadInt64LittleEndian(leaseBytes[16..]);
            if (id <= previousId || ttl <= 0)
            {
                throw new InvalidDataException($"Key-value snapshot lease {i} is invalid (id {id}, ttl {ttl} ms).");
            }
            previousId = id;
            store._leases.Add(id, new KvLease(id, ttl, expiresAt));
            store._expiry.Add((expiresAt, id));
        }

        Span<byte> lengthBytes = stackalloc byte[4];
        for (var i = 0L; i < keyCount; i++)
        {
            reader.Read(lengthBytes);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
            if (length is < KvRecord.HeaderSize or > KvRecord.HeaderSize + KvLimits.MaxKeyBytes + KvLimits.MaxValueBytes)
            {
                throw new InvalidDataException($"Key-value snapshot record {i} has an impossible length {length}.");
            }
            var record = GC.AllocateUninitializedArray<byte>((int)length);
            reader.Read(record);
            if (!KvRecord.IsWellFormed(record) || KvRecord.ModRevision(record) > store.Revision)
            {
                throw new InvalidDataException($"Key-value snapshot record {i} is malformed.");
            }
            if (store._index.Count > 0 && KvRecord.Key(record).SequenceCompareTo(store._index.LastKey) <= 0)
            {
                throw new InvalidDataException($"Key-value snapshot record {i} is out of key order.");
            }
            var leaseId = KvRecord.LeaseId(record);
            if (leaseId != 0)
            {
                if (!store._leases.TryGetValue(leaseId, out var lease))
                {
                    throw new InvalidDataException($"Key-value snapshot record {i} names lease {leaseId}, which the snapshot does not hold.");
                }
                lease.KeysBySpan.Add(KvRecord.Key(record));
            }
            store._index.AppendInOrder(record);
        }

        var expected = reader.Checksum;
        Span<byte> trailer = stackalloc byte[8];
        reader.Read(trailer);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != SnapshotEndMagic)
        {
            throw new InvalidDataException("Key-value snapshot trailer is missing or wrong (truncated or corrupt).");
        }
        var actual = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (actual != expected)
        {
            throw new InvalidDataException($"Key-value snapshot checksum mismatch: stored {actual:X8}, computed {expected:X8}.");
        }
        return store;
    }

    /// <summary>What a snapshot holds, captured under the lock and written without it.</summary>
    internal sealed class SnapshotCapture(long revision, long nowMs, byte[][] records, (long Id, long TtlMs, long ExpiresAtMs)[] leases)
    {
        public long Revision { get; } = revision;

        /// <summary>Streams the snapshot to <paramref name="destination"/>.</summary>
        public void WriteTo(Stream destination, long appliedIndex)
        {
            // Not disposed: that would close the caller's stream.
            var buffered = new BufferedStream(destination, 1 << 16);
            var writer = new ChecksummedWriter(buffered);
            Span<byte> header = stackalloc byte[SnapshotHeaderSize];
            header.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header, SnapshotMagic);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], SnapshotFormat);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], appliedIndex);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], Revision);
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], nowMs);
            BinaryPrimitives.WriteInt64LittleEndian(header[32..], records.Length);
            BinaryPrimitives.WriteInt64LittleEndian(header[40..], leases.Length);
            writer.Write(header);
            Span<byte> leaseBytes = stackalloc byte[24];
            foreach (var (id, ttl, expiresAt) in leases)
            {
                BinaryPrimitives.WriteInt64LittleEndian(leaseBytes, id);
                BinaryPrimitives.WriteInt64LittleEndian(leaseBytes[8..], ttl);
                BinaryPrimitives.WriteInt64LittleEndian(leaseBytes[16..], expiresAt);
                writer.Write(leaseBytes);
            }
            Span<byte> lengthBytes = stackalloc byte[4];
            foreach (var record in records)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(lengthBytes, (uint)record.Length);
                writer.Write(lengthBytes);
                writer.Write(record);
            }
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, SnapshotEndMagic);
            BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], writer.Checksum);
            buffered.Write(trailer);
            buffered.Flush();
        }
    }

    private sealed class ChecksummedWriter(Stream stream)
    {
        private uint _state = uint.MaxValue;

        public uint Checksum => ~_state;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _state = Crc32C.Append(_state, bytes);
            stream.Write(bytes);
        }
    }

    private sealed class ChecksummedReader(Stream stream)
    {
        private readonly Stream _stream = new BufferedStream(stream, 1 << 16);
        private uint _state = uint.MaxValue;

        public uint Checksum => ~_state;

        public void Read(Span<byte> destination)
        {
            try
            {
                _stream.ReadExactly(destination);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException("Key-value snapshot ends early (truncated).", e);
            }
            _state = Crc32C.Append(_state, destination);
        }
    }
}
