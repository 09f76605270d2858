namespace Dfs.Client.Metadata.Protocol;

/// <summary>The operation a <see cref="MetadataRequest"/> asks for: the first byte of its encoding.</summary>
public enum MetadataOp : byte
{
    Lookup = 1,
    Stat = 2,
    List = 3,
    ListVersions = 4,
    Mkdir = 5,
    Rename = 6,
    Delete = 7,
    AllocateChunk = 8,
    BumpChunkVersion = 9,
    Commit = 10,
    Lock = 11,
    RenewLock = 12,
    Unlock = 13,
    LockQueue = 14,
    ChunkServers = 15,
    Drain = 16,
    AllocateChunks = 17,
}
