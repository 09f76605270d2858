namespace Dfs.Client.Metadata;

/// <summary>The rule a refused metadata operation broke; every refusal changed nothing.</summary>
public enum MetadataErrorCode
{
    /// <summary>A path is not absolute UTF-8 with non-empty segments other than "." and "..", without NUL, each ≤ 255 bytes, ≤ 4 KiB and ≤ 256 segments in all; or the root is named where it cannot be.</summary>
    InvalidPath = 1,

    /// <summary>An argument other than a path is out of range (a limit, a size, a chunk list).</summary>
    InvalidArgument = 2,

    /// <summary>The path, or one of its parents, does not exist.</summary>
    NotFound = 3,

    /// <summary>Something already exists where a new entry was to go.</summary>
    AlreadyExists = 4,

    /// <summary>A component that must be a directory is a file.</summary>
    NotADirectory = 5,

    /// <summary>The operation needs a file and the path is a directory.</summary>
    IsADirectory = 6,

    /// <summary>The directory holds entries and the operation needs it empty.</summary>
    DirectoryNotEmpty = 7,

    /// <summary>The state is not what the caller expected (a version commit lost a race, or the expected version is not current).</summary>
    Conflict = 8,

    /// <summary>The path is locked by another client.</summary>
    Locked = 9,

    /// <summary>The version asked for is not among the kept versions.</summary>
    VersionNotFound = 10,

    /// <summary>The caller holds no lock, and is in no queue, for the path.</summary>
    LockNotHeld = 11,

    /// <summary>A rename would move a directory into itself or one of its descendants.</summary>
    RenameIntoItself = 12,

    /// <summary>The lease named does not exist (never granted, revoked or expired).</summary>
    LeaseNotFound = 13,
}
