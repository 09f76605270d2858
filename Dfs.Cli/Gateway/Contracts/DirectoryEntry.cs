using System.Text.Json.Serialization;

namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One entry of a directory listing; <see cref="Kind"/> is <c>file</c> or <c>directory</c>.</summary>
public sealed record DirectoryEntry(string Name, string Path, string Kind, long Size, long Version, DateTimeOffset Modified)
{
    /// <summary>True for a directory.</summary>
    [JsonIgnore]
    public bool IsDirectory => Kind == EntryKinds.Directory;
}
