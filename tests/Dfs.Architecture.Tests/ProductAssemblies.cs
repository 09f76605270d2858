using System.Reflection;

namespace Dfs.Architecture.Tests;

/// <summary>Every product assembly, the subject of the architecture tests.</summary>
internal static class ProductAssemblies
{
    public static readonly Assembly[] All =
    [
        typeof(Dfs.Common.Hashing.Crc32C).Assembly,
        typeof(Dfs.Client.Chunks.ChunkId).Assembly,
        typeof(Dfs.Hosting.ParentProcessWatch).Assembly,
        typeof(Dfs.Raft.Consensus.RaftNode).Assembly,
        typeof(Dfs.ChunkServer.Storage.FileChunkStore).Assembly,
        typeof(Dfs.Gateway.Launcher.LocalCluster).Assembly,
        typeof(Dfs.Cli.DfsCli).Assembly,
    ];
}
