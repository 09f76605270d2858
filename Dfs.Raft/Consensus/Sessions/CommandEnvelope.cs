using Dfs.Common.Wire;

namespace Dfs.Raft.Consensus.Sessions;

/// <summary>
/// A client command as it travels through the log: who sent it, its place in the client's sequence, what
/// the client has already seen answered, the proposing leader's clock, and the command itself (thesis §6.3).
/// </summary>
/// <param name="ClientId">The client's session id, chosen by the client and stable across its retries.</param>
/// <param name="Sequence">The command's serial number within the session, from 1; a retry reuses it.</param>
/// <param name="LowestUnanswered">
/// The lowest sequence number the client has not yet seen answered: responses below it will never be
/// asked for again and may be discarded. At most <paramref name="Sequence"/>.
/// </param>
/// <param name="TimestampMs">
/// The leader's wall-clock time when it proposed the command, in Unix milliseconds: the entry's only clock. It drives
/// session expiry and is handed to the wrapped state machine with the body (<see cref="ITimedStateMachine"/>).
/// </param>
/// <param name="Body">The command for the wrapped state machine.</param>
public sealed record CommandEnvelope(Guid ClientId, long Sequence, long LowestUnanswered, long TimestampMs, ReadOnlyMemory<byte> Body)
{
    /// <summary>Bytes before the body: format byte, client id, sequence, lowest unanswered, timestamp.</summary>
    public const int HeaderSize = 1 + 16 + 8 + 8 + 8;

    private const byte FormatVersion = 1;

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public int EncodedLength => HeaderSize + Body.Length;

    /// <summary>Encodes into a new array (proposals are copied into the log anyway).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Encodes into <paramref name="destination"/>, which must hold <see cref="EncodedLength"/> bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the envelope needs {EncodedLength}.", nameof(destination));
        }
        var writer = new WireWriter(destination);
        writer.WriteByte(FormatVersion);
        writer.WriteGuid(ClientId);
        writer.WriteInt64(Sequence);
        writer.WriteInt64(LowestUnanswered);
        writer.WriteInt64(TimestampMs);
        writer.WriteSpan(Body.Span);
    }

    /// <summary>
    /// Decodes an envelope, or explains why the bytes are not one: unknown format, too short, a sequence
    /// below 1, or a lowest-unanswered number outside [1, sequence].
    /// </summary>
    /// <remarks>The body of the result copies <paramref name="source"/>: log payloads are not kept alive by it.</remarks>
    public static bool TryDecode(ReadOnlySpan<byte> source, out CommandEnvelope? envelope, out string? error)
    {
        envelope = null;
        if (source.Length < HeaderSize)
        {
            error = $"A command envelope needs at least {HeaderSize} bytes; got {source.Length}.";
            return false;
        }
        var reader = new WireReader(source);
        var format = reader.ReadByte();
        if (format != FormatVersion)
        {
            error = $"Unknown command envelope format {format} (expected {FormatVersion}).";
            return false;
        }
        var clientId = reader.ReadGuid();
        var sequence = reader.ReadInt64();
        var lowest = reader.ReadInt64();
        var timestamp = reader.ReadInt64();
        if (sequence < 1)
        {
            error = $"Sequence numbers start at 1; got {sequence}.";
            return false;
        }
        if (lowest < 1 || lowest > sequence)
        {
            error = $"The lowest unanswered sequence number ({lowest}) must lie in [1, {sequence}].";
            return false;
        }
        envelope = new CommandEnvelope(clientId, sequence, lowest, timestamp, reader.ReadSpan(reader.Remaining).ToArray());
        error = null;
        return true;
    }
}
