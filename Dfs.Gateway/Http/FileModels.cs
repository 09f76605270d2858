namespace Dfs.Gateway.Http;

/// <summary>The answer to an upload: the version made.</summary>
public sealed record FileWrittenJson(string Path, long Version, long Size, string Etag, string Modified);

/// <summary>A file in a listing by prefix.</summary>
public sealed record FileItemJson(string Path, long Size, long Version, string Modified, string? Etag);

/// <summary>A page of files by prefix; pass <c>next</c> as the cursor of the next page.</summary>
public sealed record FilePageJson(IReadOnlyList<FileItemJson> Items, string? Next);

/// <summary>The answer to a rename.</summary>
public sealed record RenamedJson(string From, string To);

/// <summary>The body of <c>POST /api/rename</c>.</summary>
/// <param name="From">The file or directory to move.</param>
/// <param name="To">Its new path; its parent must exist.</param>
/// <param name="Replace">Replace an existing target of the same kind (an empty directory for a directory).</param>
public sealed record RenameJson(string? From, string? To, bool Replace);
