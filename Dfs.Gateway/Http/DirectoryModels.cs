namespace Dfs.Gateway.Http;

/// <summary>The answer to <c>PUT /api/dirs/{path}</c>.</summary>
public sealed record DirectoryCreatedJson(string Path, bool Created);

/// <summary>One entry of a directory listing.</summary>
/// <param name="Kind"><c>directory</c> or <c>file</c>.</param>
public sealed record DirectoryEntryJson(string Name, string Path, string Kind, long Size, long Version, string Modified);

/// <summary>A page of a directory; pass <c>next</c> as <c>after</c> for the next page.</summary>
public sealed record DirectoryListingJson(string Path, IReadOnlyList<DirectoryEntryJson> Entries, string? Next);
