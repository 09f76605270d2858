namespace Dfs.Client.Kv;

/// <summary>Reads what <see cref="KvWireWriter"/> wrote, checking every length against what is left and the given limits.</summary>
/// <remarks>Byte fields come back as slices of the source memory, not copies.</remarks>
internal struct KvWireReader(ReadOnlyMemory<byte> source, string what)
{
    private readonly ReadOnlyMemory<byte> _source = source;
    private int _position;

    public readonly int Remaining => _source.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _source.Length)
        {
            throw Truncated();
        }
        return _source.Span[_position++];
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new KvFormatException($"Malformed {what}: a flag byte is {b}, expected 0 or 1."),
    };

    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
            {
                break;
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new KvFormatException($"Malformed {what}: a varint overflows 64 bits.");
    }

    public long ReadVarInt64()
    {
        var raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>A count or length no larger than <paramref name="max"/>.</summary>
    public int ReadLength(int max, string field)
    {
        var length = ReadVarUInt64();
        if (length > (ulong)max)
        {
            throw new KvFormatException($"Malformed {what}: {field} is {length}, above the limit of {max}.");
        }
        return (int)length;
    }

    public ReadOnlyMemory<byte> ReadBytes(int maxLength, string field)
    {
        var length = ReadLength(maxLength, field);
        if (length > Remaining)
        {
            throw Truncated();
        }
        var slice = _source.Slice(_position, length);
        _position += length;
        return slice;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new KvFormatException($"Malformed {what}: {Remaining} unexpected bytes after the end.");
        }
    }

    public readonly KvFormatException Truncated() => new($"Malformed {what}: it ends early (truncated).");
}
