using System.Buffers;
using Dfs.Common.Wire;
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

    // The longest AppendEntries before its entries: two ids, term, four more i64 and the entry count.
    private const int MaxAppendHeadBytes = 2 * (2 + MaxIdBytes) + 8 + (4 * 8) + 4;

    // Every message but AppendEntries and InstallSnapshot is shorter than this; copies up to it go on the stack.
    private const int StackCopyLimit = 1024;

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
        var measure = WireWriter.Measuring();
        WriteHead(ref measure, message);
        var size = measure.Position;
        var head = new WireWriter(writer.GetSpan(size)[..size]);
        WriteHead(ref head, message);
        writer.Advance(size);
        if (message is AppendEntries m)
        {
            foreach (var entry in m.Entries)
            {
                var entryHeader = new WireWriter(writer.GetSpan(EntryHeaderBytes)[..EntryHeaderBytes]);
                entryHeader.WriteInt64(entry.Term);
                entryHeader.WriteInt64(entry.Index);
                entryHeader.WriteByte((byte)entry.Kind);
                entryHeader.WriteInt32(entry.Payload.Length);
                writer.Advance(EntryHeaderBytes);
                writer.Write(entry.Payload.Span);
            }
        }
    }

    /// <summary>Everything of a message but the entries of an AppendEntries.</summary>
    private static void WriteHead(ref WireWriter writer, RaftMessage message)
    {
        WriteId(ref writer, message.From);
        WriteId(ref writer, message.To);
        writer.WriteInt64(message.Term);
        switch (message)
        {
            case RequestVote m:
                writer.WriteInt64(m.LastLogIndex);
                writer.WriteInt64(m.LastLogTerm);
                writer.WriteByte((byte)((m.PreVote ? 1 : 0) | (m.LeadershipTransfer ? 2 : 0)));
                break;
            case RequestVoteResponse m:
                writer.WriteByte((byte)((m.PreVote ? 1 : 0) | (m.Granted ? 2 : 0)));
                break;
            case AppendEntries m:
                writer.WriteInt64(m.PrevLogIndex);
                writer.WriteInt64(m.PrevLogTerm);
                writer.WriteInt64(m.LeaderCommit);
                writer.WriteInt64(m.ReadContext);
                writer.WriteInt32(m.Entries.Count);
                break;
            case AppendEntriesResponse m:
                writer.WriteBoolean(m.Success);
                writer.WriteInt64(m.MatchIndex);
                writer.WriteInt64(m.RejectedIndex);
                writer.WriteInt64(m.HintIndex);
                writer.WriteInt64(m.HintTerm);
                writer.WriteInt64(m.ReadContext);
                break;
            case InstallSnapshot m:
                writer.WriteInt64(m.Metadata.Index);
                writer.WriteInt64(m.Metadata.Term);
                WriteIds(ref writer, m.Metadata.Configuration.Voters);
                WriteIds(ref writer, m.Metadata.Configuration.Learners);
                writer.WriteInt64(m.Payload?.Length ?? 0);
                break;
            case InstallSnapshotResponse m:
                writer.WriteBoolean(m.Success);
                writer.WriteInt64(m.LastIndex);
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
    public static RaftMessage Read(ushort frameType, ReadOnlySequence<byte> payload)
    {
        try
        {
            return frameType == RaftFrameType.AppendEntries ? ReadAppendEntries(payload) : ReadContiguous(frameType, payload, out _);
        }
        catch (WireFormatException e)
        {
            throw Malformed(frameType, e);
        }
    }

    /// <summary>Reads an InstallSnapshot frame: the message without payload, and the length of the payload that follows in chunks.</summary>
    /// <exception cref="RaftCodecException">The bytes are not a valid InstallSnapshot frame.</exception>
    public static (InstallSnapshot Message, long PayloadLength) ReadSnapshotHeader(ReadOnlySequence<byte> payload)
    {
        try
        {
            var message = (InstallSnapshot)ReadContiguous(RaftFrameType.InstallSnapshot, payload, out var length);
            return (message, length);
        }
        catch (WireFormatException e)
        {
            throw Malformed(RaftFrameType.InstallSnapshot, e);
        }
    }

    /// <summary>Reads a message other than AppendEntries from one span: the frame's own, or a copy of a multi-segment frame.</summary>
    private static RaftMessage ReadContiguous(ushort frameType, ReadOnlySequence<byte> payload, out long snapshotLength)
    {
        if (payload.IsSingleSegment)
        {
            return ReadFields(frameType, payload.FirstSpan, out snapshotLength);
        }
        var length = checked((int)payload.Length);
        if (length <= StackCopyLimit)
        {
            Span<byte> copy = stackalloc byte[StackCopyLimit];
            payload.CopyTo(copy);
            return ReadFields(frameType, copy[..length], out snapshotLength);
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            return ReadFields(frameType, rented.AsSpan(0, length), out snapshotLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static RaftMessage ReadFields(ushort frameType, ReadOnlySpan<byte> payload, out long snapshotLength)
    {
        var reader = new WireReader(payload);
        snapshotLength = 0;
        RaftMessage message;
        switch (frameType)
        {
            case RaftFrameType.RequestVote:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "RequestVote");
                    var lastIndex = reader.ReadInt64("the last log index");
                    var lastTerm = reader.ReadInt64("the last log term");
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
            case RaftFrameType.AppendEntriesResponse:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "AppendEntriesResponse");
                    var success = ReadFlags(ref reader, "AppendEntriesResponse", 1) != 0;
                    message = new AppendEntriesResponse(from, to, term, success,
                        reader.ReadInt64("the match index"), reader.ReadInt64("the rejected index"),
                        reader.ReadInt64("the hint index"), reader.ReadInt64("the hint term"), reader.ReadInt64("the read context"));
                    break;
                }
            case RaftFrameType.InstallSnapshot:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "InstallSnapshot");
                    var index = reader.ReadInt64("the snapshot index");
                    var snapshotTerm = reader.ReadInt64("the snapshot term");
                    var voters = ReadIds(ref reader, "the voters");
                    var learners = ReadIds(ref reader, "the learners");
                    var length = reader.ReadInt64("the payload length");
                    if (index < 0 || snapshotTerm < 0 || length < 0)
                    {
                        throw new RaftCodecException($"InstallSnapshot from '{from}' has a negative index ({index}), term ({snapshotTerm}) or length ({length}).");
                    }
                    snapshotLength = length;
                    var metadata = new SnapshotMetadata(index, snapshotTerm, new ClusterConfiguration(voters, learners));
                    message = new InstallSnapshot(from, to, term, metadata, null);
                    break;
                }
            case RaftFrameType.InstallSnapshotResponse:
                {
                    var (from, to, term) = ReadEnvelope(ref reader, "InstallSnapshotResponse");
                    var success = ReadFlags(ref reader, "InstallSnapshotResponse", 1) != 0;
                    message = new InstallSnapshotResponse(from, to, term, success, reader.ReadInt64("the last index"));
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
        reader.EnsureEnd($"{message.GetType().Name} frame");
        return message;
    }

    private static AppendEntries ReadAppendEntries(ReadOnlySequence<byte> payload)
    {
        const string what = "AppendEntries";

        // Everything before the entries is read from one span: the frame's first segment, or a copy of its start.
        Span<byte> headCopy = stackalloc byte[MaxAppendHeadBytes];
        var first = payload.FirstSpan;
        scoped ReadOnlySpan<byte> headBytes;
        if (first.Length >= MaxAppendHeadBytes || first.Length == payload.Length)
        {
            headBytes = first;
        }
        else
        {
            var copied = (int)Math.Min(payload.Length, MaxAppendHeadBytes);
            payload.Slice(0, copied).CopyTo(headCopy);
            headBytes = headCopy[..copied];
        }
        var head = new WireReader(headBytes);
        var (from, to, term) = ReadEnvelope(ref head, what);
        var prevIndex = head.ReadInt64("the previous log index");
        var prevTerm = head.ReadInt64("the previous log term");
        var commit = head.ReadInt64("the leader commit");
        var readContext = head.ReadInt64("the read context");
        var count = head.ReadInt32("the entry count");
        var reader = new SequenceReader<byte>(payload);
        reader.Advance(head.Position);
        if (count < 0 || count > MaxEntries || (long)count * EntryHeaderBytes > reader.Remaining)
        {
            throw new RaftCodecException($"AppendEntries from '{from}' claims {count} entries in {reader.Remaining} bytes.");
        }
        if (count == 0)
        {
            if (!reader.End)
            {
                throw new RaftCodecException($"{what} frame has {reader.Remaining} unexpected trailing bytes.");
            }
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
            var entry = new WireReader(header);
            var entryTerm = entry.ReadInt64();
            var entryIndex = entry.ReadInt64();
            var kind = entry.ReadByte();
            var length = entry.ReadInt32();
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
        if (!reader.End)
        {
            throw new RaftCodecException($"{what} frame has {reader.Remaining} unexpected trailing bytes.");
        }
        return new AppendEntries(from, to, term, prevIndex, prevTerm, entries, commit, readContext);
    }

    private static (string From, string To, long Term) ReadEnvelope(ref WireReader reader, string what)
    {
        var from = reader.ReadString(WireLength.UInt16, MaxIdBytes, "the sender id", strict: true);
        var to = reader.ReadString(WireLength.UInt16, MaxIdBytes, "the receiver id", strict: true);
        var term = reader.ReadInt64("the term");
        if (term < 0)
        {
            throw new RaftCodecException($"{what} from '{from}' has negative term {term}.");
        }
        return (from, to, term);
    }

    private static byte ReadFlags(ref WireReader reader, string what, byte allowed)
    {
        var flags = reader.ReadByte("the flags");
        if ((flags & ~allowed) != 0)
        {
            throw new RaftCodecException($"{what} has unknown flag bits 0x{flags:X2}.");
        }
        return flags;
    }

    private static string[] ReadIds(ref WireReader reader, string field)
    {
        var ids = new string[reader.ReadCount(WireLength.Int32, 2, MaxMembers, field)];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = reader.ReadString(WireLength.UInt16, MaxIdBytes, "a member id", strict: true);
        }
        return ids;
    }

    private static RaftCodecException Malformed(ushort frameType, WireFormatException e) =>
        new($"{NameOf(frameType)} frame is malformed: {e.Message}", e);

    private static string NameOf(ushort frameType) => frameType switch
    {
        RaftFrameType.RequestVote => "RequestVote",
        RaftFrameType.RequestVoteResponse => "RequestVoteResponse",
        RaftFrameType.AppendEntries => "AppendEntries",
        RaftFrameType.AppendEntriesResponse => "AppendEntriesResponse",
        RaftFrameType.InstallSnapshot => "InstallSnapshot",
        RaftFrameType.InstallSnapshotResponse => "InstallSnapshotResponse",
        RaftFrameType.TimeoutNow => "TimeoutNow",
        _ => $"0x{frameType:X4}",
    };

    private static void WriteId(ref WireWriter writer, string id) => writer.WriteString(WireLength.UInt16, id, MaxIdBytes);

    private static void WriteIds(ref WireWriter writer, IReadOnlyList<string> ids)
    {
        writer.WriteInt32(ids.Count);
        foreach (var id in ids)
        {
            WriteId(ref writer, id);
        }
    }
}
