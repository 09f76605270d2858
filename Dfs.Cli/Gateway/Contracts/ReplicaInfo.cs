namespace Dfs.Cli.Gateway.Contracts;

/// <summary>A chunk server holding a replica.</summary>
public sealed record ReplicaInfo(string Id, string Host, int Port);
