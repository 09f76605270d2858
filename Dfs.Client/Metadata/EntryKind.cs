namespace Dfs.Client.Metadata;

/// <summary>Whether a namespace entry is a directory or a file; the byte is stored in entries and inodes.</summary>
public enum EntryKind : byte
{
    /// <summary>A directory.</summary>
    Directory = 1,

    /// <summary>A file (a list of versions).</summary>
    File = 2,
}
