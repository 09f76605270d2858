namespace Dfs.Cli.Demo;

/// <summary>How <c>dfs demo failover</c> runs.</summary>
/// <param name="Rounds">How many times the leader is killed (and started again).</param>
/// <param name="Stream">The upload stream.</param>
/// <param name="ChunkServer">Whether a chunk server is killed after the leader rounds.</param>
/// <param name="Keep">Whether the uploaded files are kept (default: the demo's folder is deleted at the end).</param>
internal sealed record FailoverDemoOptions(int Rounds, UploadStreamOptions Stream, bool ChunkServer, bool Keep);
