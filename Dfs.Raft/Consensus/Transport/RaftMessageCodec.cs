using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>
/// Compact binary encoding of every <see cref="RaftMessage"/> into one frame payload. Integers are
/// little-endian; ids are a u16 byte count and UTF-8; every message starts with from, to and term.
/// </summary>
/// <remarks>
/// An <see cref="InstallSnapshot"/> encodes its metadata and the payload's length only; the transport
/// sends the payload's bytes in <see cref="RaftFrameType.SnapshotChunk"/> frames after it.
/// </remarks>
public static class RaftMessageCodec
{
    /// <summary>Longest node id accepted, in UTF-8 bytes.</summary>
    public const int MaxIdBytes = 256;

    /// <summary>Most entries accepted in one AppendEntries.</summary>
    public const int MaxEntries = 1 << 20;

    /// <summary>Most members accepted in one configuration.</summary>
    public const int MaxMembers = 1024;

    // term, index, kind, payload length
    private const int EntryHeaderBytes = 8 + 8 + 1 + 4;

    /// <summary>The frame type that carries <paramref name="message"/>.</summary>
    public static ushort FrameTypeOf(RaftMessage message) => message switch
    {
        RequestVote => RaftFrameType.RequestVote,
        RequestVoteResponse => RaftFrameType.RequestVoteResponse,
        AppendEntries => RaftFrameType.AppendEntries,
        AppendEntriesResponse => RaftFrameType.AppendEntriesResponse,
        InstallSnapshot => RaftFrameType.InstallSnapshot,
        InstallSnapshotResponse => RaftFrameType.InstallSnapshotResponse,
        TimeoutNow => RaftFrameType.TimeoutNow,
        _ => throw new ArgumentException($"No encoding for message type {message.GetType().Name}.", nameof(message)),
    };

    /// <summary>Writes <paramref name="message"/> as a frame payload.</summary>
    public static void Write(RaftMessage message, IBufferWriter<byte> writer)
    {
        WriteId(writer, message.From);
        WriteId(writer, message.To);
        WriteInt64(writer, message.Term);
        switch (message)
        {
            case RequestVote m:
                WriteInt64(writer, m.LastLogIndex);
                WriteInt64(writer, m.LastLogTerm);
                WriteByte(writer, (byte)((m.PreVote ? 1 : 0) | (m.LeadershipTransfer ? 2 : 0)));
                break;
            case RequestVoteResponse m:
                WriteByte(writer, (byte)((m.PreVote ? 1 : 0) | (m.Granted ? 2 : 0)));
                break;
            case AppendEntries m:
                WriteInt64(writer, m.PrevLogIndex);
                WriteInt64(writer, m.PrevLogTerm);
                WriteInt64(writer, m.LeaderCommit);
                WriteInt64(writer, m.ReadContext);
                WriteInt32(writer, m.Entries.Count);
                foreach (var entry in m.Entries)
                {
                    var span = writer.GetSpan(EntryHeaderBytes);
                    BinaryPrimitives.WriteInt64LittleEndian(span, entry.Term);
                    BinaryPrimitives.WriteInt64LittleEndian(span[8..], entry.Index);
                    span[16] = (byte)entry.Kind;
                    BinaryPrimitives.WriteInt32LittleEndian(span[17..], entry.Payload.Length);
                    writer.Advance(EntryHeaderBytes);
                    writer.Write(entry.Payload.Span);
                }
                break;
            case AppendEntriesResponse m:
                WriteByte(writer, m.Success ? (byte)1 : (byte)0);
                WriteInt64(writer, m.MatchIndex);
                WriteInt64(writer, m.RejectedIndex);
                WriteInt64(writer, m.HintIndex);
                WriteInt64(writer, m.HintTerm);
                WriteInt64(writer, m.ReadContext);
                break;
            case InstallSnapshot m:
                WriteInt64(writer, m.Metadata.Index);
                WriteInt64(writer, m.Metadata.Term);
                WriteIds(writer, m.Metadata.Configuration.Voters);
                WriteIds(writer, m.Metadata.Configuration.Learners);
                WriteInt64(writer, m.Payload?.Length ?? 0);
                break;
            case InstallSnapshotResponse m:
                WriteByte(writer, m.Success ? (byte)1 : (byte)0);
                WriteInt64(writer, m.LastIndex);
                break;
            case TimeoutNow:
                break;
            default:
                throw new ArgumentException($"No encoding for message type {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>
    /// Reads a message of <paramref name="frameType"/> from <paramref name="payload"/>. An InstallSnapshot
    /// comes back with a null payload; <see cref="ReadSnapshotHeader"/> also gives the payload's length.
    /// The result copies what it keeps, so the frame may be released afterwards.
    /// </summary>
    /// <exception cref="RaftCodecException">The bytes are not a valid message of that type.</exception>
    public static RaftMessage Read(ushort frameType, ReadOnlySequence<byte> payload) =>
        frameType == RaftFrameType.InstallSnapshot ? ReadSnapshotHeader(payload).Message : ReadCore(frameType, payload);

    /// <summary>Reads an InstallSnapshot frame: the message without payload, and the length of the payload that follows in chunks.</summary>
    /// <exception cref="RaftCodecException">The bytes are not a valid InstallSnapshot frame.</exception>
    public static (InstallSnapshot Message, long PayloadLength) ReadSnapshotHeader(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        var (from, to, term) = ReadEnvelope(ref reader, "InstallSnapshot");
        var index = ReadInt64(ref reader, "InstallSnapshot");
        var snapshotTerm = ReadInt64(ref reader, "InstallSnapshot");
        var voters = ReadIds(ref reader, "InstallSnapshot");
        var learners = ReadIds(ref reader, "InstallSnapshot");
        var length = ReadInt64(ref reader, "InstallSnapshot");
        if (index < 0 || snapshotTerm < 0 || length < 0)
        {
            throw new RaftCodecException($"InstallSnapshot from '{from}' has a negative index ({index}), term ({snapshotTerm}) or length ({length}).");
        }
        EnsureEnd(ref reader, "InstallSnapshot");
        var metadata = new SnapshotMetadata(index, snapshotTerm, new ClusterConfiguration(voters, learners));
        return (new InstallSnapshot(from, to, term, metadata, null), length);
    }

    private static RaftMessage ReadCore(ushort frameType, ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        RaftMessage message;
        switch (frameType)
        {
            case RaftFrameType.RequestVote:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "RequestVote");
                    var lastIndex = ReadInt64(ref reader, "RequestVote");
                    var lastTerm = ReadInt64(ref reader, "RequestVote");
                    var flags = ReadFlags(ref reader, "RequestVote", 3);
                    message = new RequestVote(from, to, term, lastIndex, lastTerm, (flags & 1) != 0, (flags & 2) != 0);
                    break;
                }
            case RaftFrameType.RequestVoteResponse:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "RequestVoteResponse");
                    var flags = ReadFlags(ref reader, "RequestVoteResponse", 3);
                    message = new RequestVoteResponse(from, to, term, (flags & 1) != 0, (flags & 2) != 0);
                    break;
                }
            case RaftFrameType.AppendEntries:
                message = ReadAppendEntries(ref reader);
                break;
            case RaftFrameType.AppendEntriesResponse:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "AppendEntriesResponse");
                    var success = ReadFlags(ref reader, "AppendEntriesResponse", 1) != 0;
                    message = new AppendEntriesResponse(from, to, term, success,
                        ReadInt64(ref reader, "AppendEntriesResponse"), ReadInt64(ref reader, "AppendEntriesResponse"),
                        ReadInt64(ref reader, "AppendEntriesResponse"), ReadInt64(ref reader, "AppendEntriesResponse"),
                        ReadInt64(ref reader, "AppendEntriesResponse"));
                    break;
                }
            case RaftFrameType.InstallSnapshotResponse:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "InstallSnapshotResponse");
                    var success = ReadFlags(ref reader, "InstallSnapshotResponse", 1) != 0;
                    message = new InstallSnapshotResponse(from, to, term, success, ReadInt64(ref reader, "InstallSnapshotResponse"));
                    break;
                }
            case RaftFrameType.TimeoutNow:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "TimeoutNow");
                    message = new TimeoutNow(from, to, term);
                    break;
                }
            default:
                throw new RaftCodecException($"Unknown Raft frame type 0x{frameType:X4}.");
        }
        EnsureEnd(ref reader, message.GetType().Name);
        return message;
    }

    private static AppendEntries ReadAppendEntries(ref SequenceReader<byte> reader)
    {
        const string what = "AppendEntries";
        var (from, to, term) = ReadEnvelope(ref reader, what);
        var prevIndex = ReadInt64(ref reader, what);
        var prevTerm = ReadInt64(ref reader, what);
        var commit = ReadInt64(ref reader, what);
        var readContext = ReadInt64(ref reader, what);
        var count = ReadInt32(ref reader, what);
        if (count < 0 || count > MaxEntries || (long)count * EntryHeaderBytes > reader.Remaining)
        {
            throw new RaftCodecException($"AppendEntries from '{from}' claims {count} entries in {reader.Remaining} bytes.");
        }
        if (count == 0)
        {
            return new AppendEntries(from, to, term, prevIndex, prevTerm, [], commit, readContext);
        }

        // The rest of the frame is entries only, so their payloads total exactly this: one array holds them all.
        var payloadBytes = reader.Remaining - (long)count * EntryHeaderBytes;
        var store = payloadBytes == 0 ? [] : new byte[payloadBytes];
        var used = 0;
        var entries = new LogEntry[count];
        Span<byte> header = stackalloc byte[EntryHeaderBytes];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryCopyTo(header))
            {
                throw new RaftCodecException($"AppendEntries from '{from}' ends inside entry {i} of {count}.");
            }
            reader.Advance(EntryHeaderBytes);
            var entryTerm = BinaryPrimitives.ReadInt64LittleEndian(header);
            var entryIndex = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
            var kind = header[16];
            var length = BinaryPrimitives.ReadInt32LittleEndian(header[17..]);
            if (kind > (byte)EntryKind.Configuration)
            {
                throw new RaftCodecException($"AppendEntries from '{from}' has entry kind {kind} at index {entryIndex}.");
            }
            if (length < 0 || length > store.Length - used || length > reader.Remaining)
            {
                throw new RaftCodecException($"AppendEntries from '{from}' has an entry of {length} bytes at index {entryIndex}, beyond the frame.");
            }
            var slot = store.AsMemory(used, length);
            reader.TryCopyTo(slot.Span);
            reader.Advance(length);
            used += length;
            entries[i] = new LogEntry(entryTerm, entryIndex, (EntryKind)kind, slot);
        }
        return new AppendEntries(from, to, term, prevIndex, prevTerm, entries, commit, readContext);
    }

    private static (string From, string To, long Term) ReadEnvelope(ref SequenceReader<byte> reader, string what)
    {
        var from = ReadId(ref reader, what);
        var to = ReadId(ref reader, what);
        var term = ReadInt64(ref reader, what);
        if (term < 0)
        {
            throw new RaftCodecException($"{what} from '{from}' has negative term {term}.");
        }
        return (from, to, term);
    }

    private static void EnsureEnd(ref SequenceReader<byte> reader, string what)
    {
        if (!reader.End)
        {
            throw new RaftCodecException($"{what} frame has {reader.Remaining} unexpected trailing bytes.");
        }
    }

    private static byte ReadFlags(ref SequenceReader<byte> reader, string what, byte allowed)
    {
        if (!reader.TryRead(out var flags))
        {
            throw Truncated(what);
        }
        if ((flags & ~allowed) != 0)
        {
            throw new RaftCodecException($"{what} has unknown flag bits 0x{flags:X2}.");
        }
        return flags;
    }

    private static long ReadInt64(ref SequenceReader<byte> reader, string what) =>
        reader.TryReadLittleEndian(out long value) ? value : throw Truncated(what);

    private static int ReadInt32(ref SequenceReader<byte> reader, string what) =>
        reader.TryReadLittleEndian(out int value) ? value : throw Truncated(what);

    private static string ReadId(ref SequenceReader<byte> reader, string what)
    {
        if (!reader.TryReadLittleEndian(out short raw))
        {
            throw Truncated(what);
        }
        var length = (ushort)raw;
        if (length > MaxIdBytes || length > reader.Remaining)
        {
            throw new RaftCodecException($"{what} has a node id of {length} bytes (limit {MaxIdBytes}, {reader.Remaining} left in the frame).");
        }
        Span<byte> bytes = stackalloc byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new RaftCodecException($"{what} has a node id that is not valid UTF-8.");
        }
    }

    private static string[] ReadIds(ref SequenceReader<byte> reader, string what)
    {
        var count = ReadInt32(ref reader, what);
        if (count < 0 || count > MaxMembers || count * 2L > reader.Remaining)
        {
            throw new RaftCodecException($"{what} claims a configuration of {count} members.");
        }
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = ReadId(ref reader, what);
        }
        return ids;
    }

    private static RaftCodecException Truncated(string what) => new($"{what} frame is truncated.");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void WriteId(IBufferWriter<byte> writer, string id)
    {
        var length = StrictUtf8.GetByteCount(id);
        if (length > MaxIdBytes)
        {
            throw new ArgumentException($"Node id '{id}' is {length} UTF-8 bytes; the limit is {MaxIdBytes}.");
        }
        var span = writer.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        StrictUtf8.GetBytes(id, span[2..]);
        writer.Advance(2 + length);
    }

    private static void WriteIds(IBufferWriter<byte> writer, IReadOnlyList<string> ids)
    {
        WriteInt32(writer, ids.Count);
        foreach (var id in ids)
        {
            WriteId(writer, id);
        }
    }

    private static void WriteInt64(IBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteInt32(IBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }
}
