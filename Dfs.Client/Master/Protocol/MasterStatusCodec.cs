using Dfs.Common.Wire;

namespace Dfs.Client.Master.Protocol;

/// <summary>
/// The body of a successful <see cref="MasterRequestKind.Status"/> response: little-endian integers, strings as a
/// u16 byte length then UTF-8, the leader id behind a presence flag, lists as a u16 count then their strings. In
/// order: id, role, term, leader id, commit index, applied index, last log index, snapshot index, pid, members,
/// lagging followers.
/// </summary>
public static class MasterStatusCodec
{
    public static byte[] Encode(MasterStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var measure = WireWriter.Measuring();
        Write(ref measure, status);
        var bytes = new byte[measure.Position];
        var writer = new WireWriter(bytes);
        Write(ref writer, status);
        return bytes;
    }

    /// <exception cref="InvalidDataException">The bytes end early, are malformed, or go on after the status.</exception>
    public static MasterStatus Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new WireReader(body);
            var id = reader.ReadString(WireLength.UInt16, field: "id");
            var role = reader.ReadString(WireLength.UInt16, field: "role");
            var term = reader.ReadInt64("term");
            var leader = reader.ReadBoolean("leader flag") ? reader.ReadString(WireLength.UInt16, field: "leader id") : null;
            var commit = reader.ReadInt64("commit index");
            var applied = reader.ReadInt64("applied index");
            var last = reader.ReadInt64("last log index");
            var snapshot = reader.ReadInt64("snapshot index");
            var pid = reader.ReadInt32("pid");
            var members = ReadList(ref reader, "members");
            var lagging = ReadList(ref reader, "lagging followers");
            reader.EnsureEnd("A master status");
            return new MasterStatus(id, role, term, leader, commit, applied, last, snapshot, members, pid) { LaggingFollowers = lagging };
        }
        catch (WireFormatException e)
        {
            throw new InvalidDataException($"A master status is malformed: {e.Message}", e);
        }
    }

    private static void Write(ref WireWriter writer, MasterStatus status)
    {
        writer.WriteString(WireLength.UInt16, status.Id);
        writer.WriteString(WireLength.UInt16, status.Role);
        writer.WriteInt64(status.Term);
        writer.WriteBoolean(status.LeaderId is not null);
        if (status.LeaderId is { } leader)
        {
            writer.WriteString(WireLength.UInt16, leader);
        }
        writer.WriteInt64(status.CommitIndex);
        writer.WriteInt64(status.AppliedIndex);
        writer.WriteInt64(status.LastLogIndex);
        writer.WriteInt64(status.SnapshotIndex);
        writer.WriteInt32(status.Pid);
        WriteList(ref writer, status.Members);
        WriteList(ref writer, status.LaggingFollowers);
    }

    private static void WriteList(ref WireWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteLength(WireLength.UInt16, values.Count);
        foreach (var value in values)
        {
            writer.WriteString(WireLength.UInt16, value);
        }
    }

    private static string[] ReadList(ref WireReader reader, string field)
    {
        // Every string costs at least its two length bytes: a forged count cannot make this allocate.
        var values = new string[reader.ReadCount(WireLength.UInt16, 2, field: field)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString(WireLength.UInt16, field: field);
        }
        return values;
    }
}
