namespace Dfs.Client.Metadata;

/// <summary>A file or directory as stat and listings show it.</summary>
/// <param name="Name">The entry's name ("/" for the root).</param>
/// <param name="Kind">Directory or file.</param>
/// <param name="Id">The inode id.</param>
/// <param name="Size">A file's current size; 0 for a directory.</param>
/// <param name="Version">A file's current version number; 0 for a directory.</param>
/// <param name="ModifiedMs">A file's current version time; a directory's creation or last move time.</param>
public sealed record MetadataEntry(string Name, EntryKind Kind, ulong Id, long Size, long Version, long ModifiedMs);
