using System.Buffers;
using Dfs.Common.Wire;

namespace Dfs.Client.Kv;

/// <summary>
/// The compact binary form of <see cref="KvCommand"/>: a format byte, a command tag and the body,
/// with varint numbers and length-prefixed bytes. The leader encodes; every replica decodes in Apply.
/// </summary>
/// <remarks>
/// Encoding validates the command first, so an invalid command is never proposed. Decoding rejects malformed bytes
/// with <see cref="KvFormatException"/> but leaves limits (key and value sizes) to <see cref="KvCommand.Validate"/>,
/// so an oversized field is reported as such.
/// </remarks>
public static class KvCommandCodec
{
    /// <summary>The format byte every encoded command starts with.</summary>
    public const byte FormatVersion = 2;

    private const byte TagOp = 1;
    private const byte TagTxn = 2;
    private const byte TagLeaseGrant = 3;
    private const byte TagLeaseRevoke = 4;
    private const byte TagLeaseKeepAlive = 5;
    private const byte TagClock = 6;
    private const string What = "key-value command";

    /// <summary>Bytes <paramref name="command"/> takes encoded (after validating it).</summary>
    public static int GetEncodedLength(KvCommand command)
    {
        command.Validate();
        var writer = WireWriter.Measuring();
        Write(ref writer, command);
        if (writer.Position > KvLimits.MaxCommandBytes)
        {
            throw new KvValidationException($"The command encodes to {writer.Position} bytes; the limit is {KvLimits.MaxCommandBytes} bytes.");
        }
        return writer.Position;
    }

    /// <summary>Validates and encodes <paramref name="command"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(KvCommand command, Span<byte> destination)
    {
        var length = GetEncodedLength(command);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the command needs {length}.", nameof(destination));
        }
        var writer = new WireWriter(destination);
        Write(ref writer, command);
        return writer.Position;
    }

    /// <summary>Validates and encodes <paramref name="command"/> into <paramref name="output"/> (for example a pooled buffer writer).</summary>
    public static void Encode(KvCommand command, IBufferWriter<byte> output)
    {
        var length = GetEncodedLength(command);
        var writer = new WireWriter(output.GetSpan(length));
        Write(ref writer, command);
        output.Advance(length);
    }

    /// <summary>Validates and encodes <paramref name="command"/> into a new array of exactly its length.</summary>
    public static byte[] Encode(KvCommand command)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(GetEncodedLength(command));
        var writer = new WireWriter(bytes);
        Write(ref writer, command);
        return bytes;
    }

    /// <summary>Decodes a command; its byte fields are slices of <paramref name="source"/>, which must not change afterwards.</summary>
    /// <exception cref="KvFormatException">The bytes are not a well-formed command.</exception>
    public static KvCommand Decode(ReadOnlyMemory<byte> source)
    {
        try
        {
            var reader = new WireReader(source);
            var format = reader.ReadByte();
            if (format != FormatVersion)
            {
                throw new KvFormatException($"Malformed {What}: format {format} is not the supported format {FormatVersion}.");
            }
            var tag = reader.ReadByte();
            KvCommand command = tag switch
            {
                TagOp => new KvOpCommand(ReadOp(ref reader)),
                TagTxn => ReadTxn(ref reader),
                TagLeaseGrant => new KvLeaseGrantCommand(reader.ReadVarInt64(), reader.ReadVarInt64()),
                TagLeaseRevoke => new KvLeaseRevokeCommand(reader.ReadVarInt64()),
                TagLeaseKeepAlive => new KvLeaseKeepAliveCommand(reader.ReadVarInt64()),
                TagClock => new KvClockCommand(),
                _ => throw new KvFormatException($"Malformed {What}: unknown command tag {tag}."),
            };
            reader.EnsureEnd(What);
            return command;
        }
        catch (WireFormatException e) when (e is not KvFormatException)
        {
            throw new KvFormatException($"Malformed {What}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Decodes a command and checks it as the store will when applying it: within <see cref="KvLimits.MaxCommandBytes"/>,
    /// well-formed and valid. Its byte fields are slices of <paramref name="source"/>.
    /// </summary>
    /// <exception cref="KvFormatException">The bytes are not a well-formed command.</exception>
    /// <exception cref="KvValidationException">The command is too large or breaks a limit.</exception>
    public static KvCommand DecodeValidated(ReadOnlyMemory<byte> source)
    {
        if (source.Length > KvLimits.MaxCommandBytes)
        {
            throw new KvValidationException($"The command is {source.Length} bytes; the limit is {KvLimits.MaxCommandBytes} bytes.");
        }
        var command = Decode(source);
        command.Validate();
        return command;
    }

    /// <summary>Decodes a command from a span, copying the bytes once so the command owns them.</summary>
    public static KvCommand Decode(ReadOnlySpan<byte> source) => Decode((ReadOnlyMemory<byte>)source.ToArray());

    private static void Write(ref WireWriter writer, KvCommand command)
    {
        writer.WriteByte(FormatVersion);
        switch (command)
        {
            case KvOpCommand c:
                writer.WriteByte(TagOp);
                WriteOp(ref writer, c.Op);
                break;
            case KvTxnCommand c:
                writer.WriteByte(TagTxn);
                writer.WriteVarUInt64((ulong)c.Compares.Count);
                foreach (var compare in c.Compares)
                {
                    WriteCompare(ref writer, compare);
                }
                WriteOps(ref writer, c.Success);
                WriteOps(ref writer, c.Failure);
                break;
            case KvLeaseGrantCommand c:
                writer.WriteByte(TagLeaseGrant);
                writer.WriteVarInt64(c.LeaseId);
                writer.WriteVarInt64(c.TtlMs);
                break;
            case KvLeaseRevokeCommand c:
                writer.WriteByte(TagLeaseRevoke);
                writer.WriteVarInt64(c.LeaseId);
                break;
            case KvLeaseKeepAliveCommand c:
                writer.WriteByte(TagLeaseKeepAlive);
                writer.WriteVarInt64(c.LeaseId);
                break;
            case KvClockCommand:
                writer.WriteByte(TagClock);
                break;
            default:
                throw new ArgumentException($"Unknown command type {command.GetType().Name}.", nameof(command));
        }
    }

    private static void WriteOps(ref WireWriter writer, IReadOnlyList<KvOp> ops)
    {
        writer.WriteVarUInt64((ulong)ops.Count);
        foreach (var op in ops)
        {
            WriteOp(ref writer, op);
        }
    }

    private static void WriteOp(ref WireWriter writer, KvOp op)
    {
        writer.WriteByte((byte)op.Kind);
        writer.WriteBytes(WireLength.VarUInt, op.Key.Span);
        switch (op.Kind)
        {
            case KvOpKind.Put:
                writer.WriteBytes(WireLength.VarUInt, op.Value.Span);
                writer.WriteVarInt64(op.LeaseId);
                writer.WriteBoolean(op.PreviousValue);
                break;
            case KvOpKind.Range:
                writer.WriteBytes(WireLength.VarUInt, op.End.Span);
                writer.WriteVarUInt64((ulong)op.Limit);
                break;
            case KvOpKind.DeleteRange:
                writer.WriteBytes(WireLength.VarUInt, op.End.Span);
                break;
        }
    }

    private static void WriteCompare(ref WireWriter writer, KvCompare compare)
    {
        writer.WriteBytes(WireLength.VarUInt, compare.Key.Span);
        writer.WriteByte((byte)compare.Target);
        writer.WriteByte((byte)compare.Operator);
        if (compare.Target == KvCompareTarget.Value)
        {
            writer.WriteBytes(WireLength.VarUInt, compare.Value.Span);
        }
        else
        {
            writer.WriteVarInt64(compare.Number);
        }
    }

    private static KvTxnCommand ReadTxn(ref WireReader reader)
    {
        var compareCount = reader.ReadLength(WireLength.VarUInt, KvTxnCommand.MaxItems, "the compare count");
        var compares = new KvCompare[compareCount];
        for (var i = 0; i < compares.Length; i++)
        {
            compares[i] = ReadCompare(ref reader);
        }
        var success = ReadOps(ref reader);
        var failure = ReadOps(ref reader);
        return new KvTxnCommand(compares, success, failure);
    }

    private static KvOp[] ReadOps(ref WireReader reader)
    {
        var ops = new KvOp[reader.ReadLength(WireLength.VarUInt, KvTxnCommand.MaxItems, "the operation count")];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = ReadOp(ref reader);
        }
        return ops;
    }

    private static KvOp ReadOp(ref WireReader reader)
    {
        var kind = (KvOpKind)reader.ReadByte();
        var key = reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a key");
        return kind switch
        {
            KvOpKind.Get or KvOpKind.Delete => new KvOp(kind, key, default, default, 0, 0, false),
            KvOpKind.Put => new KvOp(
                kind, key, default, reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a value"), reader.ReadVarInt64(), 0, reader.ReadBoolean()),
            KvOpKind.Range => new KvOp(
                kind, key, reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a range end"), default, 0, reader.ReadLength(WireLength.VarUInt, int.MaxValue, "a range limit"), false),
            KvOpKind.DeleteRange => new KvOp(kind, key, reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a range end"), default, 0, 0, false),
            _ => throw new KvFormatException($"Malformed {What}: unknown operation kind {(int)kind}."),
        };
    }

    private static KvCompare ReadCompare(ref WireReader reader)
    {
        var key = reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a compare key");
        var target = (KvCompareTarget)reader.ReadByte();
        var op = (KvCompareOperator)reader.ReadByte();
        if (target is < KvCompareTarget.Value or > KvCompareTarget.Exists)
        {
            throw new KvFormatException($"Malformed {What}: unknown compare target {(int)target}.");
        }
        if (op is < KvCompareOperator.Equal or > KvCompareOperator.Greater)
        {
            throw new KvFormatException($"Malformed {What}: unknown compare operator {(int)op}.");
        }
        return target == KvCompareTarget.Value
            ? new KvCompare(key, target, op, 0, reader.ReadMemory(WireLength.VarUInt, int.MaxValue, "a compare value"))
            : new KvCompare(key, target, op, reader.ReadVarInt64(), default);
    }
}
