using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks.Protocol;

namespace Dfs.Testing.Cluster;

/// <summary>One chunk server of a <see cref="DfsTestCluster"/>: what survives a restart (folder, port) and the running host.</summary>
public sealed class TestChunkServer
{
    internal TestChunkServer(string id, TestDirectory directory, IChunkStore? ownStore)
    {
        Id = id;
        Directory = directory;
        OwnStore = ownStore;
    }

    public string Id { get; }

    /// <summary>The node's own folder; a file store keeps its chunks under <c>{Directory}/{Id}</c>.</summary>
    public TestDirectory Directory { get; }

    /// <summary>The port; 0 before the first start.</summary>
    public int Port { get; internal set; }

    public bool IsRunning => Host is not null;

    /// <summary>Where the server listens.</summary>
    public ChunkEndpoint Endpoint => new("127.0.0.1", Port);

    internal ChunkServerHost? Host { get; set; }

    /// <summary>A store the test handed in, kept across restarts; null for a file store.</summary>
    internal IChunkStore? OwnStore { get; }

    /// <summary>The running server's store.</summary>
    /// <exception cref="InvalidOperationException">The server is down.</exception>
    public IChunkStore Store => Host?.Store ?? throw new InvalidOperationException($"Chunk server {Id} is down.");

    /// <summary>The running server's services (its scrubber when it has one).</summary>
    public IServiceProvider Services => Host?.Services ?? throw new InvalidOperationException($"Chunk server {Id} is down.");

    public override string ToString() => Host is null ? $"{Id}: down" : $"{Id}: {Endpoint}";
}
