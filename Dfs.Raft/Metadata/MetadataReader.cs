using System.Buffers.Binary;
using System.Text;
using Dfs.Client.Metadata;

namespace Dfs.Raft.Metadata;

/// <summary>Reads what <see cref="MetadataWriter"/> wrote; a malformed value throws <see cref="InvalidDataException"/>.</summary>
internal ref struct MetadataReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _position;

    public readonly bool End => _position >= _source.Length;

    public readonly int Position => _position;

    public byte Byte() => _position < _source.Length ? _source[_position++] : throw Truncated();

    public ulong VarUInt()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("A metadata varint runs past 64 bits.");
    }

    public long VarLong() => checked((long)VarUInt());

    public uint UInt32()
    {
        if (_position + 4 > _source.Length)
        {
            throw Truncated();
        }
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_source[_position..]);
        _position += 4;
        return value;
    }

    public string String()
    {
        var count = checked((int)VarUInt());
        if (_position + count > _source.Length)
        {
            throw Truncated();
        }
        var value = Encoding.UTF8.GetString(_source.Slice(_position, count));
        _position += count;
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || _position + count > _source.Length)
        {
            throw Truncated();
        }
        var value = _source.Slice(_position, count);
        _position += count;
        return value;
    }

    private static InvalidDataException Truncated() => new("A metadata value ends early.");
}
