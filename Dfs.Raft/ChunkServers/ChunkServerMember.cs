using System.Text;
using Dfs.Common.Wire;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A chunk server's membership record in the replicated store, at <c>C/{id}</c>: where it listens and whether it drains.
/// Value: u8 format (1), host (u16 length, UTF-8), u16 port, u8 draining.
/// </summary>
internal sealed record ChunkServerMember(string Id, string Host, int Port, bool Draining)
{
    /// <summary>The key prefix of every membership record; the metadata schema keeps to other letters.</summary>
    public const string Prefix = "C/";

    private const byte Format = 1;

    public static byte[] PrefixBytes { get; } = Encoding.UTF8.GetBytes(Prefix);

    public byte[] Key() => KeyOf(Id);

    public static byte[] KeyOf(string id) => Encoding.UTF8.GetBytes(Prefix + id);

    public byte[] Value()
    {
        var measure = WireWriter.Measuring();
        Write(ref measure);
        var bytes = new byte[measure.Position];
        var writer = new WireWriter(bytes);
        Write(ref writer);
        return bytes;
    }

    /// <exception cref="WireFormatException">The record is not one this code wrote.</exception>
    public static ChunkServerMember Read(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var id = Encoding.UTF8.GetString(key[PrefixBytes.Length..]);
        var reader = new WireReader(value);
        var format = reader.ReadByte("format");
        if (format != Format)
        {
            throw new WireFormatException($"Chunk server record {id} has unknown format {format}.");
        }
        var member = new ChunkServerMember(id, reader.ReadString(WireLength.UInt16, field: "host"), reader.ReadUInt16("port"), reader.ReadBoolean("draining"));
        reader.EnsureEnd("a chunk server record");
        return member;
    }

    private void Write(ref WireWriter writer)
    {
        writer.WriteByte(Format);
        writer.WriteString(WireLength.UInt16, Host);
        writer.WriteUInt16(checked((ushort)Port));
        writer.WriteBoolean(Draining);
    }
}
