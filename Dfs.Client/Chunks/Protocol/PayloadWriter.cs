using System.Buffers.Binary;
using System.Text;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Writes the little-endian fields of a control message into a span sized by the message.</summary>
public ref struct PayloadWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Written => _position;

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"A protocol string is limited to {ushort.MaxValue} UTF-8 bytes; this one has {length}.", nameof(value));
        }
        WriteUInt16((ushort)length);
        Encoding.UTF8.GetBytes(value, Take(length));
    }

    /// <summary>Bytes <see cref="WriteString"/> takes for <paramref name="value"/>.</summary>
    public static int StringSize(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private Span<byte> Take(int count)
    {
        var span = _destination.Slice(_position, count);
        _position += count;
        return span;
    }
}
