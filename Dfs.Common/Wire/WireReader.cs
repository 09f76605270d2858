using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Dfs.Common.Wire;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote: little-endian fixed-width integers, LEB128 varints, length-prefixed
/// bytes and UTF-8 strings. Every read is checked against the bytes left; a short, overlong or malformed field throws
/// <see cref="WireFormatException"/> naming the field (when the caller gave one) and the byte it starts at.
/// </summary>
/// <remarks>
/// Built over <see cref="ReadOnlyMemory{T}"/>, <see cref="ReadMemory"/> returns byte fields as slices of that memory
/// (no copy) that outlive the reader; built over a span, fields come back as spans.
/// </remarks>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;

    public WireReader(ReadOnlySpan<byte> source)
    {
        _buffer = source;
        _memory = default;
        _hasMemory = false;
        _position = 0;
    }

    public WireReader(ReadOnlyMemory<byte> source)
    {
        _buffer = source.Span;
        _memory = source;
        _hasMemory = true;
        _position = 0;
    }

    /// <summary>Bytes read so far: the offset of the next field.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Bytes in the whole source.</summary>
    public readonly int Length => _buffer.Length;

    /// <summary>True once every byte was read.</summary>
    public readonly bool IsEnd => _position == _buffer.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte(string? field = null)
    {
        if ((uint)_position >= (uint)_buffer.Length)
        {
            ThrowTruncated(field, "u8", 1);
        }
        return _buffer[_position++];
    }

    /// <summary>A flag byte: 0 or 1; any other value is malformed.</summary>
    public bool ReadBoolean(string? field = null)
    {
        var at = _position;
        return ReadByte(field) switch
        {
            0 => false,
            1 => true,
            var b => throw new WireFormatException($"{Name(field, "a flag")} at byte {at} is {b}, expected 0 or 1."),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ReadUInt16(string? field = null) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field, "u16"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt32(string? field = null) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field, "u32"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32(string? field = null) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field, "i32"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64(string? field = null) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field, "u64"));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64(string? field = null) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field, "i64"));

    /// <summary>16 bytes in <see cref="Guid(ReadOnlySpan{byte})"/> order.</summary>
    public Guid ReadGuid(string? field = null) => new(Take(16, field, "guid"));

    /// <summary>An unsigned LEB128 varint of at most 10 bytes; one that does not fit 64 bits is malformed.</summary>
    public ulong ReadVarUInt64(string? field = null)
    {
        var at = _position;
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte(field);
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
        throw new WireFormatException($"{Name(field, "a varint")} at byte {at} overflows 64 bits.");
    }

    /// <summary>A zigzag varint.</summary>
    public long ReadVarInt64(string? field = null)
    {
        var raw = ReadVarUInt64(field);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary><paramref name="count"/> raw bytes, no length in front.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadSpan(int count, string? field = null) => Take(count, field, "bytes");

    /// <summary>A length or count in the given width, no larger than <paramref name="max"/>.</summary>
    public int ReadLength(WireLength width, int max = int.MaxValue, string? field = null)
    {
        var at = _position;
        long length = width switch
        {
            WireLength.UInt16 => ReadUInt16(field),
            WireLength.Int32 => ReadInt32(field),
            _ => (long)Math.Min(ReadVarUInt64(field), (ulong)long.MaxValue),
        };
        if (length < 0 || length > max)
        {
            throw new WireFormatException($"{Name(field, "a length")} at byte {at} is {length}, outside 0..{max}.");
        }
        return (int)length;
    }

    /// <summary>
    /// The count of a list whose items take at least <paramref name="minimumItemBytes"/> each: checked against
    /// <paramref name="max"/> and against what the remaining bytes can hold, so a forged count allocates nothing.
    /// </summary>
    public int ReadCount(WireLength width, int minimumItemBytes, int max = int.MaxValue, string? field = null)
    {
        var at = _position;
        var count = ReadLength(width, max, field);
        if ((long)count * minimumItemBytes > Remaining)
        {
            throw new WireFormatException(
                $"{Name(field, "a count")} at byte {at} announces {count} items, more than the {Remaining} remaining bytes can hold.");
        }
        return count;
    }

    /// <summary>A length in the given width, then that many bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(WireLength width, int maxLength = int.MaxValue, string? field = null) =>
        Take(ReadLength(width, maxLength, field), field, "bytes");

    /// <summary>Like <see cref="ReadBytes"/>, but a slice of the memory the reader was built over.</summary>
    /// <exception cref="InvalidOperationException">The reader was built over a span.</exception>
    public ReadOnlyMemory<byte> ReadMemory(WireLength width, int maxLength = int.MaxValue, string? field = null)
    {
        if (!_hasMemory)
        {
            throw new InvalidOperationException("A WireReader built over a span cannot return memory slices.");
        }
        var length = ReadLength(width, maxLength, field);
        var start = _position;
        Take(length, field, "bytes");
        return _memory.Slice(start, length);
    }

    /// <summary>A UTF-8 byte count in the given width, then the UTF-8.</summary>
    /// <param name="strict">Reject invalid UTF-8 instead of decoding it to U+FFFD.</param>
    public string ReadString(WireLength width, int maxBytes = int.MaxValue, string? field = null, bool strict = false)
    {
        var at = _position;
        var bytes = ReadBytes(width, maxBytes, field);
        if (!strict)
        {
            return Encoding.UTF8.GetString(bytes);
        }
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new WireFormatException($"{Name(field, "a string")} at byte {at} is not valid UTF-8.", e);
        }
    }

    /// <summary>Fails unless every byte was read.</summary>
    /// <param name="what">What the bytes hold, for the message.</param>
    public readonly void EnsureEnd(string what)
    {
        if (_position != _buffer.Length)
        {
            throw new WireFormatException($"{what} has {_buffer.Length - _position} unexpected trailing bytes after byte {_position}.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count, string? field, string kind)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowTruncated(field, kind, count);
        }
        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(string? field, string kind, int count) =>
        throw new WireFormatException(
            $"Truncated: {Name(field, kind)} needs {count} bytes at byte {_position}, but the data ends at byte {_buffer.Length}.");

    private static string Name(string? field, string kind) => field is null ? kind : $"{field} ({kind})";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
