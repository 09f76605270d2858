using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>What an inode key holds: kind, parent, and for a file its current version inline (so a one-version file costs two keys).</summary>
/// <param name="Kind">Directory or file.</param>
/// <param name="Parent">The parent directory's id.</param>
/// <param name="ModifiedMs">A directory's creation or last move time; a file's current version time.</param>
/// <param name="Current">A file's current version; null for a directory.</param>
internal sealed record InodeRecord(EntryKind Kind, ulong Parent, long ModifiedMs, FileVersion? Current);
