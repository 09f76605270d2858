namespace Dfs.Client.Chunks;

/// <summary>Why a chunk operation failed, in terms a caller can act on.</summary>
public enum ChunkError
{
    NotFound,
    StaleVersion,
    Corrupt,
    BadRange,
    DiskFull,
    AlreadyExists,
    Conflict,
}

/// <summary>A chunk operation failed for a reason the caller is told about (never a corrupt or stale read).</summary>
public sealed class ChunkStoreException(ChunkError error, string message) : IOException(message)
{
    public ChunkError Error { get; } = error;
}
