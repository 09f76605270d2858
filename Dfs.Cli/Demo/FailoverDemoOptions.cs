namespace Dfs.Cli.Demo;

/// <summary>How <c>dfs demo failover</c> runs.</summary>
/// <param name="Rounds">How many times the leader is killed (and started again).</param>
/// <param name="Stream">The upload stream.</param>
/// <param name="ChunkServer">Whether a chunk server is killed after the leader rounds.</param>
/// <param name="Keep">Whether the uploaded files are kept (default: the demo's folder is deleted at the end).</param>
/// <param name="ChunkedFiles">Files of <see cref="ChunkedFileBytes"/> stored before a chunk server is killed, so it holds chunks
/// to re-replicate (the stream's small files live in the masters' records, not in chunks).</param>
internal sealed record FailoverDemoOptions(int Rounds, UploadStreamOptions Stream, bool ChunkServer, bool Keep, int ChunkedFiles = 24)
{
    /// <summary>1 MiB: above the largest inline threshold a cluster may set (512 KiB), so each such file is a chunk on the chunk servers.</summary>
    public const int ChunkedFileBytes = 1024 * 1024;
}
