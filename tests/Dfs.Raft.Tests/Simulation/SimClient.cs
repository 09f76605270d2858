namespace Dfs.Raft.Tests.Simulation;

/// <summary>A simulated client: one operation at a time, retried with the same sequence number until answered.</summary>
internal sealed class SimClient(int index, string name, Guid id)
{
    public int Index { get; } = index;
    public string Name { get; } = name;
    /// <summary>The current session's id; a client that abandons a command starts a new session.</summary>
    public Guid Id { get; set; } = id;

    /// <summary>Sessions opened so far; part of every token, so tokens stay unique across sessions.</summary>
    public int SessionNumber { get; set; } = 1;

    public long NextSequence { get; set; } = 1;

    /// <summary>The lowest sequence number this client has not seen answered.</summary>
    public long LowestUnanswered { get; set; } = 1;

    public ClientOperation? Current { get; set; }
    public long OperationCount { get; set; }

    /// <summary>Which node the next attempt goes to.</summary>
    public int Target { get; set; }

    /// <summary>Starts new operations while true.</summary>
    public bool Active { get; set; } = true;

    /// <summary>Writes of this client that were answered.</summary>
    public int Acknowledged { get; set; }
}

/// <summary>One client operation: a write (append a unique token to a key) or a linearizable read of a key.</summary>
internal sealed class ClientOperation
{
    public required long OpNo { get; init; }
    public required bool IsRead { get; init; }

    /// <summary>The session the write belongs to (every attempt carries the same one).</summary>
    public Guid SessionId { get; init; }

    /// <summary>When the first attempt went out.</summary>
    public long StartUs { get; init; }
    public required string Key { get; init; }
    public long Sequence { get; init; }
    public string Token { get; init; } = "";
    public byte[] Body { get; init; } = [];

    /// <summary>For a read: the length it must at least see, fixed when it started.</summary>
    public long RequiredLength { get; init; }

    public int Attempt { get; set; }
}

/// <summary>How a node answered a client.</summary>
internal enum ReplyKind
{
    Ok,
    NotLeader,
    Failed,
}

/// <summary>A node's answer to a client attempt.</summary>
internal sealed record ClientReply(long OpNo, int Attempt, ReplyKind Kind, string? LeaderHint,
    Dfs.Raft.Consensus.Sessions.SessionResult? Result, string[]? List);
