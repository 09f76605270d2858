namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One chunk of a file version and the chunk servers holding it.</summary>
public sealed record ChunkInfo(string Id, long Length, string Checksum, long ChunkVersion, IReadOnlyList<ReplicaInfo>? Replicas);
