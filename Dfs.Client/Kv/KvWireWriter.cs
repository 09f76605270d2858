namespace Dfs.Client.Kv;

/// <summary>
/// Writes the compact binary form (LEB128 varints, length-prefixed bytes) into a span, or only counts the bytes
/// when built with <see cref="Measuring"/> so that one routine both sizes and writes a message.
/// </summary>
internal ref struct KvWireWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measureOnly;

    public KvWireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _measureOnly = false;
        Position = 0;
    }

    private KvWireWriter(bool measureOnly)
    {
        _buffer = default;
        _measureOnly = measureOnly;
        Position = 0;
    }

    /// <summary>A writer that stores nothing and only advances <see cref="Position"/>.</summary>
    public static KvWireWriter Measuring() => new(measureOnly: true);

    /// <summary>Bytes written (or counted) so far.</summary>
    public int Position { get; private set; }

    public void WriteByte(byte value)
    {
        if (!_measureOnly)
        {
            _buffer[Position] = value;
        }
        Position++;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteVarUInt64(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteByte((byte)value);
    }

    /// <summary>A signed number, zigzag-encoded so small negatives stay short.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt64((ulong)value.Length);
        if (!_measureOnly)
        {
            value.CopyTo(_buffer[Position..]);
        }
        Position += value.Length;
    }
}
