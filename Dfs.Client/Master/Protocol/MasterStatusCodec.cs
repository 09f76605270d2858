using System.Buffers.Binary;
using System.Text;

namespace Dfs.Client.Master.Protocol;

/// <summary>
/// The body of a successful <see cref="MasterRequestKind.Status"/> response: little-endian integers, strings as a
/// u16 byte length then UTF-8 (length 0xFFFF: null), lists as a u16 count then their strings. In order: id, role,
/// term, leader id, commit index, applied index, last log index, snapshot index, pid, members, lagging followers.
/// </summary>
public static class MasterStatusCodec
{
    private const ushort NullString = ushort.MaxValue;

    public static byte[] Encode(MasterStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var size = StringSize(status.Id) + StringSize(status.Role) + 8 + StringSize(status.LeaderId) + 4 * 8 + 4
            + ListSize(status.Members) + ListSize(status.LaggingFollowers);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        WriteString(ref span, status.Id);
        WriteString(ref span, status.Role);
        WriteInt64(ref span, status.Term);
        WriteString(ref span, status.LeaderId);
        WriteInt64(ref span, status.CommitIndex);
        WriteInt64(ref span, status.AppliedIndex);
        WriteInt64(ref span, status.LastLogIndex);
        WriteInt64(ref span, status.SnapshotIndex);
        BinaryPrimitives.WriteInt32LittleEndian(span, status.Pid);
        span = span[4..];
        WriteList(ref span, status.Members);
        WriteList(ref span, status.LaggingFollowers);
        return bytes;
    }

    /// <exception cref="InvalidDataException">The bytes end early, carry a null where a value is required, or go on after the status.</exception>
    public static MasterStatus Decode(ReadOnlySpan<byte> body)
    {
        var id = ReadString(ref body) ?? throw new InvalidDataException("A master status has no id.");
        var role = ReadString(ref body) ?? throw new InvalidDataException("A master status has no role.");
        var term = ReadInt64(ref body);
        var leader = ReadString(ref body);
        var commit = ReadInt64(ref body);
        var applied = ReadInt64(ref body);
        var last = ReadInt64(ref body);
        var snapshot = ReadInt64(ref body);
        Need(body, 4);
        var pid = BinaryPrimitives.ReadInt32LittleEndian(body);
        body = body[4..];
        var members = ReadList(ref body);
        var lagging = ReadList(ref body);
        if (!body.IsEmpty)
        {
            throw new InvalidDataException($"A master status has {body.Length} bytes past its end.");
        }
        return new MasterStatus(id, role, term, leader, commit, applied, last, snapshot, members, pid) { LaggingFollowers = lagging };
    }

    private static int StringSize(string? value) => 2 + (value is null ? 0 : Encoding.UTF8.GetByteCount(value));

    private static int ListSize(IReadOnlyList<string> values) => 2 + values.Sum(StringSize);

    private static void WriteInt64(ref Span<byte> span, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(span, value);
        span = span[8..];
    }

    private static void WriteString(ref Span<byte> span, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, NullString);
            span = span[2..];
            return;
        }
        var length = Encoding.UTF8.GetBytes(value, span[2..]);
        if (length >= NullString)
        {
            throw new ArgumentException($"A status string of {length} bytes does not fit the status body.", nameof(value));
        }
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        span = span[(2 + length)..];
    }

    private static void WriteList(ref Span<byte> span, IReadOnlyList<string> values)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)values.Count));
        span = span[2..];
        foreach (var value in values)
        {
            WriteString(ref span, value);
        }
    }

    private static void Need(ReadOnlySpan<byte> body, int count)
    {
        if (body.Length < count)
        {
            throw new InvalidDataException($"A master status ends early: {count} more bytes expected, {body.Length} left.");
        }
    }

    private static long ReadInt64(ref ReadOnlySpan<byte> body)
    {
        Need(body, 8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(body);
        body = body[8..];
        return value;
    }

    private static string? ReadString(ref ReadOnlySpan<byte> body)
    {
        Need(body, 2);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(body);
        body = body[2..];
        if (length == NullString)
        {
            return null;
        }
        Need(body, length);
        var value = Encoding.UTF8.GetString(body[..length]);
        body = body[length..];
        return value;
    }

    private static string[] ReadList(ref ReadOnlySpan<byte> body)
    {
        Need(body, 2);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(body);
        body = body[2..];
        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ReadString(ref body) ?? throw new InvalidDataException("A master status lists a null member.");
        }
        return values;
    }
}
