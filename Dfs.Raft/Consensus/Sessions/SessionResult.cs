using System.Text;

namespace Dfs.Raft.Consensus.Sessions;

/// <summary>The session layer's answer to one command: what happened, and the wrapped state machine's response when there is one.</summary>
public readonly record struct SessionResult(SessionResultKind Kind, ReadOnlyMemory<byte> Body)
{
    /// <summary>True when the command took effect exactly once, now or earlier, and <see cref="Body"/> is its response.</summary>
    public bool HasResponse => Kind is SessionResultKind.Applied or SessionResultKind.Duplicate;

    /// <summary>Encodes as one kind byte followed by the body.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[1 + Body.Length];
        bytes[0] = (byte)Kind;
        Body.Span.CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty or name an unknown kind.</exception>
    public static SessionResult Decode(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.Length == 0)
        {
            throw new InvalidDataException("A session result needs at least its kind byte; got 0 bytes.");
        }
        var kind = (SessionResultKind)encoded.Span[0];
        if (!Enum.IsDefined(kind))
        {
            throw new InvalidDataException($"Unknown session result kind {encoded.Span[0]}.");
        }
        return new SessionResult(kind, encoded[1..]);
    }

    /// <summary>The reason carried by an <see cref="SessionResultKind.Invalid"/> result.</summary>
    public string Reason => Encoding.UTF8.GetString(Body.Span);

    public override string ToString() => Kind == SessionResultKind.Invalid ? $"Invalid: {Reason}" : $"{Kind} ({Body.Length} bytes)";
}
