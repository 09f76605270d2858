using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Dfs.Common.Wire;

/// <summary>
/// Writes a binary format into a span: little-endian fixed-width integers, LEB128 varints (zigzag for signed),
/// length-prefixed bytes and UTF-8 strings. Built with <see cref="Measuring"/> it stores nothing and only
/// counts, so one routine both sizes and writes a message.
/// </summary>
/// <remarks>
/// The destination is sized by the caller from the message; writing past it is a bug in that size and throws
/// <see cref="ArgumentOutOfRangeException"/>, not a format error.
/// </remarks>
public ref struct WireWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measuring;
    private int _position;

    public WireWriter(Span<byte> destination)
    {
        _buffer = destination;
        _measuring = false;
        _position = 0;
    }

    private WireWriter(bool measuring)
    {
        _buffer = default;
        _measuring = measuring;
        _position = 0;
    }

    /// <summary>A writer that stores nothing and only advances <see cref="Position"/>.</summary>
    public static WireWriter Measuring() => new(measuring: true);

    /// <summary>Bytes written (or counted) so far.</summary>
    public readonly int Position => _position;

    /// <summary>True for a writer from <see cref="Measuring"/>.</summary>
    public readonly bool IsMeasuring => _measuring;

    /// <summary>Bytes left in the destination (0 when measuring).</summary>
    public readonly int Remaining => _measuring ? 0 : _buffer.Length - _position;

    /// <summary>What was written so far (empty when measuring).</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (!_measuring)
        {
            _buffer[_position] = value;
        }
        _position++;
    }

    /// <summary>A flag: 1 for true, 0 for false.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt16(ushort value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.Slice(_position, 2), value);
        }
        _position += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt32(uint value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.Slice(_position, 4), value);
        }
        _position += 4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value) => WriteUInt32((uint)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.Slice(_position, 8), value);
        }
        _position += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    /// <summary>A <see cref="Guid"/> as its 16 bytes in <see cref="Guid.TryWriteBytes(Span{byte})"/> order.</summary>
    public void WriteGuid(Guid value)
    {
        if (!_measuring && !value.TryWriteBytes(_buffer.Slice(_position, 16)))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A Guid did not fit in 16 bytes.");
        }
        _position += 16;
    }

    /// <summary>An unsigned LEB128 varint: 7 bits a byte, low bits first, high bit set on all but the last byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarUInt64(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteByte((byte)value);
    }

    /// <summary>A signed number as a zigzag varint, so small negatives stay short.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Raw bytes, no length in front.</summary>
    public void WriteSpan(ReadOnlySpan<byte> value)
    {
        if (!_measuring)
        {
            value.CopyTo(_buffer[_position..]);
        }
        _position += value.Length;
    }

    /// <summary>A length or count in the given width.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or does not fit the width.</exception>
    public void WriteLength(WireLength width, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        switch (width)
        {
            case WireLength.UInt16:
                ArgumentOutOfRangeException.ThrowIfGreaterThan(value, ushort.MaxValue);
                WriteUInt16((ushort)value);
                break;
            case WireLength.Int32:
                WriteInt32(value);
                break;
            default:
                WriteVarUInt64((ulong)value);
                break;
        }
    }

    /// <summary>A length in the given width, then the bytes.</summary>
    public void WriteBytes(WireLength width, ReadOnlySpan<byte> value)
    {
        WriteLength(width, value.Length);
        WriteSpan(value);
    }

    /// <summary>A UTF-8 byte count in the given width, then the UTF-8.</summary>
    /// <exception cref="ArgumentException">The string's UTF-8 is longer than <paramref name="maxBytes"/> or than the width holds.</exception>
    public void WriteString(WireLength width, string value, int maxBytes = int.MaxValue)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var limit = Math.Min(maxBytes, width == WireLength.UInt16 ? ushort.MaxValue : int.MaxValue);
        if (length > limit)
        {
            throw new ArgumentException($"A string on the wire is limited to {limit} UTF-8 bytes; this one has {length}.", nameof(value));
        }
        WriteLength(width, length);
        if (!_measuring)
        {
            Encoding.UTF8.GetBytes(value, _buffer.Slice(_position, length));
        }
        _position += length;
    }

    /// <summary>Bytes <see cref="WriteVarUInt64"/> takes for <paramref name="value"/>.</summary>
    public static int VarUInt64Size(ulong value) => Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7);

    /// <summary>Bytes <see cref="WriteLength"/> takes for <paramref name="value"/>.</summary>
    public static int LengthSize(WireLength width, int value) => width switch
    {
        WireLength.UInt16 => 2,
        WireLength.Int32 => 4,
        _ => VarUInt64Size((ulong)value),
    };

    /// <summary>Bytes <see cref="WriteString"/> takes for <paramref name="value"/>.</summary>
    public static int StringSize(WireLength width, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        return LengthSize(width, length) + length;
    }
}
