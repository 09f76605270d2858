using System.Text;
using Dfs.Common.Wire;

namespace Dfs.Common.Tests.Wire;

public sealed class WireReaderWriterTests
{
    [Fact]
    public void FixedWidthIntegers_RoundTripAtTheirLimits_LittleEndian()
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        writer.WriteByte(byte.MaxValue);
        writer.WriteByte(0);
        writer.WriteUInt16(ushort.MaxValue);
        writer.WriteUInt16(0x0102);
        writer.WriteUInt32(uint.MaxValue);
        writer.WriteInt32(int.MinValue);
        writer.WriteInt32(int.MaxValue);
        writer.WriteUInt64(ulong.MaxValue);
        writer.WriteInt64(long.MinValue);
        writer.WriteInt64(long.MaxValue);
        writer.WriteBoolean(true);
        writer.WriteBoolean(false);
        var written = writer.Position;

        var reader = new WireReader(buffer.AsSpan(0, written));
        Assert.Equal(byte.MaxValue, reader.ReadByte());
        Assert.Equal(0, reader.ReadByte());
        Assert.Equal(ushort.MaxValue, reader.ReadUInt16());
        Assert.Equal(0x0102, reader.ReadUInt16());
        Assert.Equal(uint.MaxValue, reader.ReadUInt32());
        Assert.Equal(int.MinValue, reader.ReadInt32());
        Assert.Equal(int.MaxValue, reader.ReadInt32());
        Assert.Equal(ulong.MaxValue, reader.ReadUInt64());
        Assert.Equal(long.MinValue, reader.ReadInt64());
        Assert.Equal(long.MaxValue, reader.ReadInt64());
        Assert.True(reader.ReadBoolean());
        Assert.False(reader.ReadBoolean());
        Assert.True(reader.IsEnd);
        reader.EnsureEnd("sample");
        Assert.Equal(0x02, buffer[4]);
        Assert.Equal(0x01, buffer[5]);
    }

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(16_383UL, "FF7F")]
    [InlineData(16_384UL, "808001")]
    [InlineData(uint.MaxValue, "FFFFFFFF0F")]
    [InlineData(ulong.MaxValue, "FFFFFFFFFFFFFFFFFF01")]
    public void VarUInt64_HasItsLeb128Bytes_AndRoundTrips(ulong value, string hex)
    {
        var buffer = new byte[10];
        var writer = new WireWriter(buffer);
        writer.WriteVarUInt64(value);

        Assert.Equal(hex, Convert.ToHexString(buffer, 0, writer.Position));
        Assert.Equal(writer.Position, WireWriter.VarUInt64Size(value));
        var reader = new WireReader(buffer.AsSpan(0, writer.Position));
        Assert.Equal(value, reader.ReadVarUInt64());
        Assert.True(reader.IsEnd);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-64L, "7F")]
    [InlineData(64L, "8001")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void VarInt64_IsZigzag_AndRoundTrips(long value, string hex)
    {
        var buffer = new byte[10];
        var writer = new WireWriter(buffer);
        writer.WriteVarInt64(value);

        Assert.Equal(hex, Convert.ToHexString(buffer, 0, writer.Position));
        var reader = new WireReader(buffer.AsSpan(0, writer.Position));
        Assert.Equal(value, reader.ReadVarInt64());
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFFF02")] // the tenth byte carries more than bit 63
    [InlineData("FFFFFFFFFFFFFFFFFF81")] // the tenth byte wants an eleventh
    [InlineData("8080808080808080808001")]
    public void OverlongVarint_IsRejected(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<WireFormatException>(() => new WireReader(bytes).ReadVarUInt64("the lease id"));
        Assert.Contains("the lease id", error.Message);
        Assert.Contains("overflows 64 bits", error.Message);
    }

    [Fact]
    public void LengthPrefixedBytesAndStrings_RoundTripInEveryWidth()
    {
        foreach (var width in Enum.GetValues<WireLength>())
        {
            var text = "nœud-é " + new string('x', 300);
            var blob = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
            var measure = WireWriter.Measuring();
            Write(ref measure, width, text, blob);
            var buffer = new byte[measure.Position];
            var writer = new WireWriter(buffer);
            Write(ref writer, width, text, blob);

            Assert.Equal(measure.Position, writer.Position);
            Assert.Equal(WireWriter.StringSize(width, text) + WireWriter.LengthSize(width, blob.Length) + blob.Length + WireWriter.StringSize(width, ""), writer.Position);
            var reader = new WireReader(buffer);
            Assert.Equal(text, reader.ReadString(width, strict: true));
            Assert.Equal(blob, reader.ReadBytes(width).ToArray());
            Assert.Equal("", reader.ReadString(width));
            reader.EnsureEnd(width.ToString());
        }

        static void Write(ref WireWriter writer, WireLength width, string text, byte[] blob)
        {
            writer.WriteString(width, text);
            writer.WriteBytes(width, blob);
            writer.WriteString(width, "");
        }
    }

    [Fact]
    public void LengthPrefixWidths_HaveTheirDocumentedBytes()
    {
        var buffer = new byte[16];
        var writer = new WireWriter(buffer);
        writer.WriteString(WireLength.UInt16, "ab");
        writer.WriteBytes(WireLength.Int32, [7]);
        writer.WriteBytes(WireLength.VarUInt, [8, 9]);

        Assert.Equal("02006162" + "0100000007" + "020809", Convert.ToHexString(buffer, 0, writer.Position));
    }

    [Fact]
    public void MemoryReader_ReturnsSlicesOfItsSource()
    {
        var bytes = new byte[] { 3, 1, 2, 3, 9 };
        var reader = new WireReader((ReadOnlyMemory<byte>)bytes);

        var slice = reader.ReadMemory(WireLength.VarUInt);
        bytes[1] = 42;

        Assert.Equal(new byte[] { 42, 2, 3 }, slice.ToArray());
        Assert.Equal(4, reader.Position);
        Assert.Equal(1, reader.Remaining);
        Assert.Throws<InvalidOperationException>(() => new WireReader(bytes.AsSpan()).ReadMemory(WireLength.VarUInt));
    }

    [Fact]
    public void MeasuringMode_CountsExactlyWhatIsWritten()
    {
        var measure = WireWriter.Measuring();
        WriteEverything(ref measure);
        var buffer = new byte[measure.Position];
        var writer = new WireWriter(buffer);
        WriteEverything(ref writer);

        Assert.True(measure.IsMeasuring);
        Assert.Equal(0, measure.Remaining);
        Assert.Equal(buffer.Length, writer.Position);
        Assert.Equal(0, writer.Remaining);

        static void WriteEverything(ref WireWriter writer)
        {
            writer.WriteByte(1);
            writer.WriteBoolean(true);
            writer.WriteUInt16(2);
            writer.WriteUInt32(3);
            writer.WriteInt32(-4);
            writer.WriteUInt64(5);
            writer.WriteInt64(-6);
            writer.WriteGuid(Guid.NewGuid());
            writer.WriteVarUInt64(ulong.MaxValue);
            writer.WriteVarInt64(long.MinValue);
            writer.WriteSpan([1, 2, 3]);
            writer.WriteLength(WireLength.VarUInt, 1000);
            writer.WriteBytes(WireLength.Int32, [4, 5]);
            writer.WriteString(WireLength.UInt16, "héllo");
        }
    }

    [Fact]
    public void Guid_RoundTripsInItsOwnByteOrder()
    {
        var id = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var buffer = new byte[16];
        var writer = new WireWriter(buffer);
        writer.WriteGuid(id);

        Assert.Equal(id.ToByteArray(), buffer);
        Assert.Equal(id, new WireReader(buffer).ReadGuid());
    }

    public static TheoryData<string> Primitives => ["u8", "bool", "u16", "u32", "i32", "u64", "i64", "guid", "varint", "zigzag", "span", "bytes16", "bytes32", "bytesvar", "string"];

    [Theory]
    [MemberData(nameof(Primitives))]
    public void EveryTruncation_OfEveryPrimitive_ThrowsNamingTheFieldAndPosition(string primitive)
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        writer.WriteByte(0xEE); // a leading byte, so positions are not 0
        switch (primitive)
        {
            case "u8": writer.WriteByte(1); break;
            case "bool": writer.WriteBoolean(true); break;
            case "u16": writer.WriteUInt16(ushort.MaxValue); break;
            case "u32": writer.WriteUInt32(uint.MaxValue); break;
            case "i32": writer.WriteInt32(-1); break;
            case "u64": writer.WriteUInt64(ulong.MaxValue); break;
            case "i64": writer.WriteInt64(-1); break;
            case "guid": writer.WriteGuid(Guid.NewGuid()); break;
            case "varint": writer.WriteVarUInt64(ulong.MaxValue); break;
            case "zigzag": writer.WriteVarInt64(long.MinValue); break;
            case "span": writer.WriteSpan([1, 2, 3, 4]); break;
            case "bytes16": writer.WriteBytes(WireLength.UInt16, [1, 2, 3]); break;
            case "bytes32": writer.WriteBytes(WireLength.Int32, [1, 2, 3]); break;
            case "bytesvar": writer.WriteBytes(WireLength.VarUInt, [1, 2, 3]); break;
            case "string": writer.WriteString(WireLength.UInt16, "abc"); break;
        }
        var full = buffer[..writer.Position];
        Read(full, primitive);

        for (var length = 1; length < full.Length; length++)
        {
            var cut = full[..length];
            var error = Assert.Throws<WireFormatException>(() => Read(cut, primitive));
            Assert.Contains("the field", error.Message);
            Assert.Contains("Truncated", error.Message);
            Assert.Contains($"ends at byte {length}", error.Message);
        }

        static void Read(byte[] bytes, string primitive)
        {
            var reader = new WireReader(bytes);
            reader.ReadByte();
            const string field = "the field";
            _ = primitive switch
            {
                "u8" => reader.ReadByte(field),
                "bool" => reader.ReadBoolean(field) ? 1 : 0,
                "u16" => reader.ReadUInt16(field),
                "u32" => reader.ReadUInt32(field),
                "i32" => reader.ReadInt32(field),
                "u64" => (object)reader.ReadUInt64(field),
                "i64" => reader.ReadInt64(field),
                "guid" => reader.ReadGuid(field),
                "varint" => reader.ReadVarUInt64(field),
                "zigzag" => reader.ReadVarInt64(field),
                "span" => reader.ReadSpan(4, field).Length,
                "bytes16" => reader.ReadBytes(WireLength.UInt16, field: field).Length,
                "bytes32" => reader.ReadBytes(WireLength.Int32, field: field).Length,
                "bytesvar" => reader.ReadBytes(WireLength.VarUInt, field: field).Length,
                _ => reader.ReadString(WireLength.UInt16, field: field),
            };
            reader.EnsureEnd(primitive);
        }
    }

    [Fact]
    public void TruncationMessage_SaysWhereTheFieldStarts()
    {
        var error = Assert.Throws<WireFormatException>(() =>
        {
            var reader = new WireReader(new byte[] { 1, 2, 3, 4, 5 });
            reader.ReadUInt32("the version");
            reader.ReadInt64("the offset");
        });

        Assert.Equal("Truncated: the offset (i64) needs 8 bytes at byte 4, but the data ends at byte 5.", error.Message);
    }

    [Fact]
    public void LengthsAndCounts_AreCheckedAgainstTheirLimitsAndTheBytesLeft()
    {
        var negative = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }).ReadLength(WireLength.Int32, field: "the count"));
        Assert.Contains("the count", negative.Message);
        Assert.Contains("-1", negative.Message);

        var tooLong = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 0x05, 0, 1, 2, 3, 4, 5 }).ReadBytes(WireLength.UInt16, 4, "a key"));
        Assert.Contains("a key", tooLong.Message);
        Assert.Contains("outside 0..4", tooLong.Message);

        var huge = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }).ReadLength(WireLength.VarUInt));
        Assert.Contains("outside", huge.Message);

        var count = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 }).ReadCount(WireLength.Int32, 8, field: "the ids"));
        Assert.Contains("announces 3 items", count.Message);
        Assert.Contains("8 remaining bytes", count.Message);

        var overMax = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 3 }).ReadCount(WireLength.VarUInt, 0, max: 2));
        Assert.Contains("outside 0..2", overMax.Message);

        var reader = new WireReader(new byte[] { 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 });
        Assert.Equal(2, reader.ReadCount(WireLength.Int32, 8));
    }

    [Fact]
    public void BadFlag_InvalidUtf8_AndTrailingBytes_AreRejected()
    {
        var flag = Assert.Throws<WireFormatException>(() => new WireReader(new byte[] { 2 }).ReadBoolean("the resume flag"));
        Assert.Equal("the resume flag (a flag) at byte 0 is 2, expected 0 or 1.", flag.Message);

        byte[] invalid = [2, 0, 0xC3, 0x28];
        Assert.Equal("\uFFFD(", new WireReader(invalid).ReadString(WireLength.UInt16));
        var utf8 = Assert.Throws<WireFormatException>(() => new WireReader(invalid).ReadString(WireLength.UInt16, field: "a node id", strict: true));
        Assert.Contains("a node id", utf8.Message);
        Assert.Contains("not valid UTF-8", utf8.Message);

        var trailing = Assert.Throws<WireFormatException>(() =>
        {
            var reader = new WireReader(new byte[] { 1, 2, 3 });
            reader.ReadByte();
            reader.EnsureEnd("Ack");
        });
        Assert.Equal("Ack has 2 unexpected trailing bytes after byte 1.", trailing.Message);
    }

    [Fact]
    public void Writer_RefusesStringsAndLengthsItsWidthCannotHold()
    {
        var buffer = new byte[8];
        Assert.Throws<ArgumentException>(() => new WireWriter(buffer).WriteString(WireLength.UInt16, new string('x', ushort.MaxValue + 1)));
        Assert.Throws<ArgumentException>(() => new WireWriter(buffer).WriteString(WireLength.UInt16, "héllo", maxBytes: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireWriter(buffer).WriteLength(WireLength.UInt16, 70_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireWriter(buffer).WriteLength(WireLength.VarUInt, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var small = new WireWriter(new byte[4]);
            small.WriteInt64(1);
        });
    }

    [Fact]
    public void WireFormatException_IsAFormatException()
    {
        Assert.IsAssignableFrom<FormatException>(new WireFormatException("x"));
        Assert.Equal(Encoding.UTF8.GetByteCount("é"), WireWriter.StringSize(WireLength.VarUInt, "é") - 1);
    }
}
