using Dfs.Client.Chunks.Protocol;

namespace Dfs.Client.ChunkServers;

/// <summary>A chunk server by its id, with where it listens.</summary>
public sealed record ChunkServerAddress(string Id, string Host, int Port)
{
    public ChunkEndpoint Endpoint => new(Host, Port);
}
