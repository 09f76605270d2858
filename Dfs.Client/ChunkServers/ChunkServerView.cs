namespace Dfs.Client.ChunkServers;

/// <summary>One chunk server as the leader sees it from its heartbeats.</summary>
/// <param name="Alive">Heard from within the dead-timeout.</param>
/// <param name="Draining">An operator asked for its replicas to be moved away; it gets no new chunks.</param>
/// <param name="Drained">Draining and every chunk it holds has enough replicas elsewhere: it can be retired.</param>
/// <param name="Load">Transfers in progress on it when it last reported.</param>
/// <param name="LastHeardMs">Milliseconds since its last heartbeat reached this master (-1: never since this master started).</param>
public sealed record ChunkServerView(
    string Id, string Host, int Port, bool Alive, bool Draining, bool Drained,
    long CapacityBytes, long UsedBytes, long FreeBytes, int ChunkCount, int Load, int Pid, long LastHeardMs);

/// <summary>The chunk servers and the replication work the leader sees.</summary>
/// <param name="UnderReplicatedChunks">Chunks with fewer live replicas than the replication factor.</param>
/// <param name="ReplicationsInFlight">Copies the leader has asked for that have not yet been reported done.</param>
public sealed record ChunkServersView(IReadOnlyList<ChunkServerView> Servers, int ReplicationFactor, int UnderReplicatedChunks, int ReplicationsInFlight);
