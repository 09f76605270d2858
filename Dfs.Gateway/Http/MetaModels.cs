namespace Dfs.Gateway.Http;

/// <summary>A file's or directory's metadata: versions, chunks and each chunk's replicas, and its lock.</summary>
/// <param name="Kind"><c>file</c> or <c>directory</c>.</param>
/// <param name="Inline">True when the version's content is kept in its metadata record (a small file: no chunks).</param>
public sealed record MetaJson(string Path, string Kind, long Size, long Version, string Modified, string? ContentType, string? Etag,
    IReadOnlyList<ChunkJson> Chunks, IReadOnlyList<VersionJson> Versions, LockStateJson Lock, bool Inline = false);

/// <summary>One chunk of a version.</summary>
/// <param name="Id">Sixteen hex digits.</param>
/// <param name="Checksum">CRC-32C of the chunk as eight hex digits.</param>
public sealed record ChunkJson(string Id, long Length, string Checksum, long ChunkVersion, IReadOnlyList<ReplicaJson> Replicas);

/// <summary>A live replica of a chunk.</summary>
public sealed record ReplicaJson(string Id, string Host, int Port);

/// <summary>One kept version of a file.</summary>
public sealed record VersionJson(long Version, long Size, string Etag, string Modified, string ContentType);

/// <summary>Who holds a path's lock and who waits, in order.</summary>
public sealed record LockStateJson(string? Holder, IReadOnlyList<string> Queue);
