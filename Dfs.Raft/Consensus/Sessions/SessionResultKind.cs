namespace Dfs.Raft.Consensus.Sessions;

/// <summary>What the session layer did with a command.</summary>
public enum SessionResultKind : byte
{
    /// <summary>The command was applied now; the body is the wrapped state machine's response.</summary>
    Applied = 0,

    /// <summary>The command had been applied before; the body is the response cached then, and nothing was re-applied.</summary>
    Duplicate = 1,

    /// <summary>
    /// The command's sequence number lies below what the client acknowledged (or what the session could
    /// keep), so it was applied before and its response is gone; it was not re-applied.
    /// </summary>
    ResponseDiscarded = 2,

    /// <summary>The client's session is unknown (it expired, or the client never opened one with sequence 1); nothing was applied.</summary>
    SessionExpired = 3,

    /// <summary>The log entry is not a valid command envelope; nothing was applied. The body is the reason in UTF-8.</summary>
    Invalid = 4,

    /// <summary>
    /// The sequence number lies <see cref="SessionOptions.MaxResponsesPerClient"/> or more above the lowest
    /// one the client has not seen answered; nothing was applied. The client retries it once it has
    /// acknowledged earlier answers.
    /// </summary>
    OutsideWindow = 5,
}
