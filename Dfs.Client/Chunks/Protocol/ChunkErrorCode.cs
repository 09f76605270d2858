
namespace Dfs.Client.Chunks.Protocol;

/// <summary>The error codes an <see cref="ChunkFrameType.Error"/> frame carries: the store's <see cref="ChunkError"/> plus transport failures.</summary>
public enum ChunkErrorCode : ushort
{
    NotFound = 1,
    StaleVersion = 2,
    Corrupt = 3,
    BadRange = 4,
    DiskFull = 5,
    AlreadyExists = 6,
    Conflict = 7,

    /// <summary>The peer sent something the protocol does not allow; the connection is closed.</summary>
    Protocol = 100,

    /// <summary>A node could not be reached or its connection broke.</summary>
    Unreachable = 101,

    /// <summary>A node did not answer in time.</summary>
    Timeout = 102,

    /// <summary>An unexpected failure on the node (an I/O error other than the above).</summary>
    Internal = 103,

    /// <summary>The server does not grant a short-circuit local read to this caller: read over the connection instead.</summary>
    LocalReadRefused = 104,
}

/// <summary>Conversions between <see cref="ChunkError"/> and <see cref="ChunkErrorCode"/>.</summary>
public static class ChunkErrorCodes
{
    public static ChunkErrorCode From(ChunkError error) => error switch
    {
        ChunkError.NotFound => ChunkErrorCode.NotFound,
        ChunkError.StaleVersion => ChunkErrorCode.StaleVersion,
        ChunkError.Corrupt => ChunkErrorCode.Corrupt,
        ChunkError.BadRange => ChunkErrorCode.BadRange,
        ChunkError.DiskFull => ChunkErrorCode.DiskFull,
        ChunkError.AlreadyExists => ChunkErrorCode.AlreadyExists,
        ChunkError.Conflict => ChunkErrorCode.Conflict,
        _ => ChunkErrorCode.Internal,
    };

    /// <summary>The store error this code stands for, or null for transport failures.</summary>
    public static ChunkError? ToChunkError(this ChunkErrorCode code) => code switch
    {
        ChunkErrorCode.NotFound => ChunkError.NotFound,
        ChunkErrorCode.StaleVersion => ChunkError.StaleVersion,
        ChunkErrorCode.Corrupt => ChunkError.Corrupt,
        ChunkErrorCode.BadRange => ChunkError.BadRange,
        ChunkErrorCode.DiskFull => ChunkError.DiskFull,
        ChunkErrorCode.AlreadyExists => ChunkError.AlreadyExists,
        ChunkErrorCode.Conflict => ChunkError.Conflict,
        _ => null,
    };
}
