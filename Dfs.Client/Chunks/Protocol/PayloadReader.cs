using System.Buffers.Binary;
using System.Text;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Reads the little-endian fields of a control message; a short or overlong payload is a protocol error.</summary>
public ref struct PayloadReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>A u16 byte count followed by UTF-8.</summary>
    public string ReadString() => Encoding.UTF8.GetString(Take(ReadUInt16()));

    /// <summary>A count that bounds a list, checked against what the payload can hold.</summary>
    public int ReadCount(int minimumItemBytes)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * minimumItemBytes > _payload.Length - _position)
        {
            throw new ChunkProtocolException($"A list announces {count} items, more than its {_payload.Length - _position} remaining bytes can hold.");
        }
        return count;
    }

    /// <summary>Fails unless every byte of the payload was read.</summary>
    public readonly void EnsureEnd(string messageName)
    {
        if (_position != _payload.Length)
        {
            throw new ChunkProtocolException($"{messageName} has {_payload.Length - _position} unexpected trailing bytes.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_payload.Length - _position < count)
        {
            throw new ChunkProtocolException($"A message ended after {_payload.Length} bytes; {count} more were expected at byte {_position}.");
        }
        var span = _payload.Slice(_position, count);
        _position += count;
        return span;
    }
}
