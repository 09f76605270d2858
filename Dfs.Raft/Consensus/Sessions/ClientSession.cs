namespace Dfs.Raft.Consensus.Sessions;

/// <summary>One client's entry in the session table.</summary>
internal sealed class ClientSession(Guid clientId, long lastActivityMs)
{
    public Guid ClientId { get; } = clientId;

    /// <summary>The log clock of the client's latest command.</summary>
    public long LastActivityMs { get; set; } = lastActivityMs;

    /// <summary>Every sequence number below this was answered and acknowledged; their responses are gone.</summary>
    public long LowestUnanswered { get; set; } = 1;

    /// <summary>Responses of applied commands at or above <see cref="LowestUnanswered"/>, by sequence number.</summary>
    public SortedDictionary<long, byte[]> Responses { get; } = [];

    /// <summary>Raises the acknowledged floor and forgets the responses below it.</summary>
    public void Acknowledge(long lowestUnanswered)
    {
        if (lowestUnanswered <= LowestUnanswered)
        {
            return;
        }
        LowestUnanswered = lowestUnanswered;
        while (Responses.Count > 0)
        {
            var first = Responses.Keys.First();
            if (first >= lowestUnanswered)
            {
                break;
            }
            Responses.Remove(first);
        }
    }
}
