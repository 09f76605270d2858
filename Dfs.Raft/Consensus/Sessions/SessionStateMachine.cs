using System.Buffers.Binary;
using System.Text;

namespace Dfs.Raft.Consensus.Sessions;

/// <summary>
/// Exactly-once client commands over any state machine (Raft thesis §6.3): each log entry is a
/// <see cref="CommandEnvelope"/>; a command whose (client, sequence) was already applied answers its cached
/// response instead of being applied again, and every answer is an encoded <see cref="SessionResult"/>.
/// </summary>
/// <remarks>
/// <para>
/// A session opens with the first command of a client that has not seen any answer yet
/// (<see cref="CommandEnvelope.LowestUnanswered"/> = 1); any other command of an unknown client answers
/// <see cref="SessionResultKind.SessionExpired"/> and changes nothing. Sessions expire after
/// <see cref="SessionOptions.IdleTimeoutMs"/> without commands, measured by the log clock: the highest
/// leader timestamp seen in applied envelopes, never a replica's own clock, so every replica expires the
/// same sessions at the same index. A client that retries one command for longer than the idle timeout
/// without ever having seen an answer could have it applied twice; clients give up well before that.
/// </para>
/// <para>
/// The envelope's timestamp is the only time a log entry carries: the wrapped <see cref="ITimedStateMachine"/>
/// receives it with the body of every command it applies.
/// </para>
/// <para>
/// The snapshot holds the log clock and the session table, then the wrapped state machine's snapshot.
/// Called from one thread at a time, like every <see cref="IStateMachine"/>.
/// </para>
/// </remarks>
public sealed class SessionStateMachine : IStateMachine
{
    private const uint SnapshotMagic = 0x31535344; // "DSS1" little-endian

    private readonly ITimedStateMachine _inner;
    private readonly SessionOptions _options;
    private readonly Dictionary<Guid, ClientSession> _sessions = [];
    private readonly SortedSet<(long LastActivityMs, Guid ClientId)> _byActivity = [];
    private long _clockMs;

    public SessionStateMachine(ITimedStateMachine inner, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _options = options ?? new SessionOptions();
        _options.Validate();
    }

    /// <summary>The wrapped state machine.</summary>
    public ITimedStateMachine Inner => _inner;

    /// <summary>Open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The log clock: the highest envelope timestamp applied so far.</summary>
    public long ClockMs => _clockMs;

    /// <summary>True if the client has an open session.</summary>
    public bool HasSession(Guid clientId) => _sessions.ContainsKey(clientId);

    /// <summary>Responses held for the client (applied, not yet acknowledged); 0 without a session.</summary>
    public int CachedResponseCount(Guid clientId) => _sessions.TryGetValue(clientId, out var s) ? s.Responses.Count : 0;

    public ReadOnlyMemory<byte> Apply(long index, ReadOnlySpan<byte> command)
    {
        if (!CommandEnvelope.TryDecode(command, out var envelope, out var error))
        {
            return new SessionResult(SessionResultKind.Invalid, Encoding.UTF8.GetBytes(error!)).Encode();
        }
        var result = Apply(index, envelope!);
        return result.Encode();
    }

    /// <summary>Applies one decoded envelope; the same as <see cref="Apply(long, ReadOnlySpan{byte})"/> without the codec.</summary>
    public SessionResult Apply(long index, CommandEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        AdvanceClock(envelope.TimestampMs);

        if (envelope.ClientId == Guid.Empty)
        {
            // A one-shot command outside any session: applied as it comes, with no duplicate detection.
            return new SessionResult(SessionResultKind.Applied, _inner.Apply(index, envelope.TimestampMs, envelope.Body.Span).ToArray());
        }
        if (!_sessions.TryGetValue(envelope.ClientId, out var session))
        {
            if (envelope.LowestUnanswered != 1)
            {
                // The client has seen answers before, so it had a session: it expired, and with it the
                // record of which of its commands were applied.
                return new SessionResult(SessionResultKind.SessionExpired, ReadOnlyMemory<byte>.Empty);
            }
            session = new ClientSession(envelope.ClientId, _clockMs);
            _sessions.Add(session.ClientId, session);
            _byActivity.Add((session.LastActivityMs, session.ClientId));
        }
        else
        {
            Touch(session);
        }

        session.Acknowledge(envelope.LowestUnanswered);
        if (envelope.Sequence < session.LowestUnanswered)
        {
            return new SessionResult(SessionResultKind.ResponseDiscarded, ReadOnlyMemory<byte>.Empty);
        }
        if (session.Responses.TryGetValue(envelope.Sequence, out var cached))
        {
            return new SessionResult(SessionResultKind.Duplicate, cached);
        }
        if (envelope.Sequence - session.LowestUnanswered >= _options.MaxResponsesPerClient)
        {
            return new SessionResult(SessionResultKind.OutsideWindow, ReadOnlyMemory<byte>.Empty);
        }

        var response = _inner.Apply(index, envelope.TimestampMs, envelope.Body.Span).ToArray();
        session.Responses.Add(envelope.Sequence, response);
        return new SessionResult(SessionResultKind.Applied, response);
    }

    public void WriteSnapshot(Stream destination) => CaptureSnapshot()(destination);

    /// <inheritdoc />
    /// <remarks>The session table is written out at capture (it is small); the wrapped state machine captures its own view.</remarks>
    public Action<Stream> CaptureSnapshot()
    {
        var sessions = new MemoryStream();
        WriteSessions(sessions);
        var inner = _inner.CaptureSnapshot();
        return destination =>
        {
            ArgumentNullException.ThrowIfNull(destination);
            sessions.Position = 0;
            sessions.CopyTo(destination);
            inner(destination);
        };
    }

    private void WriteSessions(Stream destination)
    {
        Span<byte> scratch = stackalloc byte[16];
        WriteUInt32(destination, SnapshotMagic, scratch);
        WriteInt64(destination, _clockMs, scratch);
        WriteInt32(destination, _sessions.Count, scratch);
        // Guid order, so that replicas with the same state write the same bytes.
        foreach (var session in _sessions.Values.OrderBy(s => s.ClientId))
        {
            session.ClientId.TryWriteBytes(scratch);
            destination.Write(scratch[..16]);
            WriteInt64(destination, session.LastActivityMs, scratch);
            WriteInt64(destination, session.LowestUnanswered, scratch);
            WriteInt32(destination, session.Responses.Count, scratch);
            foreach (var (sequence, response) in session.Responses)
            {
                WriteInt64(destination, sequence, scratch);
                WriteInt32(destination, response.Length, scratch);
                destination.Write(response);
            }
        }
    }

    public void RestoreSnapshot(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Span<byte> scratch = stackalloc byte[16];
        try
        {
            var magic = ReadUInt32(source, scratch);
            if (magic != SnapshotMagic)
            {
                throw new InvalidDataException($"Not a session snapshot: magic 0x{magic:X8}, expected 0x{SnapshotMagic:X8}.");
            }
            var clock = ReadInt64(source, scratch);
            var count = ReadInt32(source, scratch);
            if (count < 0)
            {
                throw new InvalidDataException($"Session snapshot claims {count} sessions.");
            }
            var sessions = new List<ClientSession>(Math.Min(count, 1 << 16));
            for (var i = 0; i < count; i++)
            {
                source.ReadExactly(scratch[..16]);
                var session = new ClientSession(new Guid(scratch[..16]), ReadInt64(source, scratch))
                {
                    LowestUnanswered = ReadInt64(source, scratch),
                };
                var responses = ReadInt32(source, scratch);
                if (responses < 0)
                {
                    throw new InvalidDataException($"Session {session.ClientId} claims {responses} responses.");
                }
                for (var j = 0; j < responses; j++)
                {
                    var sequence = ReadInt64(source, scratch);
                    var length = ReadInt32(source, scratch);
                    if (length < 0)
                    {
                        throw new InvalidDataException($"Session {session.ClientId} response {sequence} claims {length} bytes.");
                    }
                    var response = new byte[length];
                    source.ReadExactly(response);
                    session.Responses.Add(sequence, response);
                }
                sessions.Add(session);
            }

            _inner.RestoreSnapshot(source);

            _sessions.Clear();
            _byActivity.Clear();
            foreach (var session in sessions)
            {
                _sessions.Add(session.ClientId, session);
                _byActivity.Add((session.LastActivityMs, session.ClientId));
            }
            _clockMs = clock;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("Truncated session snapshot.", e);
        }
    }

    private void AdvanceClock(long timestampMs)
    {
        // Leaders' clocks disagree a little; the log clock never runs backwards.
        if (timestampMs > _clockMs)
        {
            _clockMs = timestampMs;
        }
        while (_byActivity.Count > 0)
        {
            var oldest = _byActivity.Min;
            if (_clockMs - oldest.LastActivityMs <= _options.IdleTimeoutMs)
            {
                break;
            }
            _byActivity.Remove(oldest);
            _sessions.Remove(oldest.ClientId);
        }
    }

    private void Touch(ClientSession session)
    {
        if (session.LastActivityMs == _clockMs)
        {
            return;
        }
        _byActivity.Remove((session.LastActivityMs, session.ClientId));
        session.LastActivityMs = _clockMs;
        _byActivity.Add((session.LastActivityMs, session.ClientId));
    }

    private static void WriteUInt32(Stream stream, uint value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, value);
        stream.Write(scratch[..4]);
    }

    private static void WriteInt32(Stream stream, int value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteInt32LittleEndian(scratch, value);
        stream.Write(scratch[..4]);
    }

    private static void WriteInt64(Stream stream, long value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteInt64LittleEndian(scratch, value);
        stream.Write(scratch[..8]);
    }

    private static uint ReadUInt32(Stream stream, Span<byte> scratch)
    {
        stream.ReadExactly(scratch[..4]);
        return BinaryPrimitives.ReadUInt32LittleEndian(scratch);
    }

    private static int ReadInt32(Stream stream, Span<byte> scratch)
    {
        stream.ReadExactly(scratch[..4]);
        return BinaryPrimitives.ReadInt32LittleEndian(scratch);
    }

    private static long ReadInt64(Stream stream, Span<byte> scratch)
    {
        stream.ReadExactly(scratch[..8]);
        return BinaryPrimitives.ReadInt64LittleEndian(scratch);
    }
}
