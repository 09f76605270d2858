namespace Dfs.Common.Diagnostics;

/// <summary>
/// The one table of log event-id ranges: each component's <c>[LoggerMessage]</c> ids lie in its own range, so an
/// id is unique across the system and tells where a line came from. An architecture test checks every id
/// against this table.
/// </summary>
public static class LogEventIds
{
    /// <summary>Every component's range; the most specific namespace prefix wins.</summary>
    public static IReadOnlyList<LogEventIdRange> All { get; } =
    [
        new("Dfs.Raft.Consensus.Hosting", 1000, 1049),
        new("Dfs.Raft.Consensus.Transport", 1050, 1099),
        new("Dfs.Raft.DotNext", 1100, 1149),
        new("Dfs.Raft.Master", 1200, 1249),
        new("Dfs.Raft.ChunkServers", 1250, 1299),
        new("Dfs.Raft.Consensus.Storage", 1300, 1399),
        new("Dfs.Raft.Metadata", 1400, 1599),
        new("Dfs.ChunkServer.Storage", 3000, 3099),
        new("Dfs.ChunkServer", 3100, 3199),
        new("Dfs.Client", 4000, 4099),
        new("Dfs.Gateway", 5000, 5199),
    ];

    /// <summary>The range of the component that <paramref name="namespaceName"/> belongs to, or null if none is registered.</summary>
    public static LogEventIdRange? For(string namespaceName) =>
        All.Where(r => namespaceName == r.NamespacePrefix || namespaceName.StartsWith(r.NamespacePrefix + ".", StringComparison.Ordinal))
            .OrderByDescending(r => r.NamespacePrefix.Length)
            .FirstOrDefault();
}

/// <summary>Log event ids [<paramref name="First"/>, <paramref name="Last"/>] belong to the code in <paramref name="NamespacePrefix"/>.</summary>
public sealed record LogEventIdRange(string NamespacePrefix, int First, int Last);
