using Dfs.Client.Metadata;

namespace Dfs.Client.Files;

/// <summary>A committed upload: the version made and what it holds.</summary>
/// <param name="Commit">The master's answer to the commit.</param>
/// <param name="Content">The version's content as committed (size, whole CRC-32C, chunks).</param>
/// <param name="Recoveries">Pipeline rebuilds and chunk retries the upload needed after chunk-server failures.</param>
public sealed record FileUploadResult(CommitResult Commit, NewVersion Content, int Recoveries);
