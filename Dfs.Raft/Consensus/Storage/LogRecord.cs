using System.Buffers.Binary;
using System.Text;
using Dfs.Common.Hashing;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>What a record in a log segment holds.</summary>
internal enum LogRecordType : byte
{
    /// <summary>First record of every segment: whether the log starts afresh here, the next entry index, and the hard state.</summary>
    Begin = 1,

    /// <summary>One log entry: term, index, kind, payload.</summary>
    Entry = 2,

    /// <summary>A new hard state: term, commit, vote.</summary>
    HardState = 3,

    /// <summary>A conflict: every entry at or above the given index written before this record is discarded.</summary>
    Truncate = 4,
}

/// <summary>
/// The record framing of log segments: [u32 length][u32 CRC-32C over type and payload][u8 type][payload],
/// little-endian, where length counts the payload bytes only.
/// </summary>
internal static class LogRecord
{
    public const int HeaderSize = 9;

    /// <summary>Fixed part of an entry record's payload: term (i64), index (i64), kind (u8).</summary>
    public const int EntryHeadSize = 17;

    /// <summary>Records longer than this are never written, so a larger length on disk is damage.</summary>
    public const int MaxPayloadLength = 256 << 20;

    /// <summary>Flag in a <see cref="LogRecordType.Begin"/> record: the log restarts here and earlier segments are void.</summary>
    public const byte BaseFlag = 1;

    /// <summary>Bytes the payload of a hard-state record takes: term, commit, vote length (-1 for none), vote.</summary>
    public static int HardStateSize(HardState state) =>
        20 + (state.VotedFor is null ? 0 : Encoding.UTF8.GetByteCount(state.VotedFor));

    public static void WriteHardState(Span<byte> destination, HardState state)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, state.Term);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], state.Commit);
        if (state.VotedFor is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[16..], -1);
            return;
        }
        var written = Encoding.UTF8.GetBytes(state.VotedFor, destination[20..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], written);
    }

    /// <exception cref="InvalidDataException">The payload is not a hard state.</exception>
    public static HardState ReadHardState(ReadOnlySpan<byte> source)
    {
        if (source.Length < 20)
        {
            throw new InvalidDataException($"hard state of {source.Length} bytes is shorter than 20");
        }
        var term = BinaryPrimitives.ReadInt64LittleEndian(source);
        var commit = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        var voteLength = BinaryPrimitives.ReadInt32LittleEndian(source[16..]);
        if (voteLength == -1 && source.Length == 20)
        {
            return new HardState(term, null, commit);
        }
        if (voteLength < 0 || source.Length != 20 + voteLength)
        {
            throw new InvalidDataException($"hard state vote length {voteLength} does not match its {source.Length} bytes");
        }
        return new HardState(term, Encoding.UTF8.GetString(source[20..]), commit);
    }

    /// <summary>Fills the 9-byte header in front of a payload whose CRC state (over type and payload, not finalized) is given.</summary>
    public static void WriteHeader(Span<byte> destination, LogRecordType type, int payloadLength, uint crcState)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], ~crcState);
        destination[8] = (byte)type;
    }

    /// <summary>Starts the CRC of a record: its type byte.</summary>
    public static uint StartCrc(LogRecordType type)
    {
        ReadOnlySpan<byte> typeByte = [(byte)type];
        return Crc32C.Append(uint.MaxValue, typeByte);
    }
}
