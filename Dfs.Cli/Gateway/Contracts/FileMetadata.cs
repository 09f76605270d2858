using System.Text.Json.Serialization;

namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>GET /api/meta/{path}</c>: a file's or a directory's metadata, its chunks, kept versions and lock.</summary>
public sealed record FileMetadata(
    string Path,
    string Kind,
    long Size,
    long Version,
    DateTimeOffset Modified,
    string? ContentType,
    string? Etag,
    IReadOnlyList<ChunkInfo>? Chunks,
    IReadOnlyList<VersionInfo>? Versions,
    LockInfo? Lock)
{
    /// <summary>True for a directory.</summary>
    [JsonIgnore]
    public bool IsDirectory => Kind == EntryKinds.Directory;
}
