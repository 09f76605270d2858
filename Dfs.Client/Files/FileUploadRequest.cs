using Dfs.Client.Metadata;

namespace Dfs.Client.Files;

/// <summary>What an upload writes and what it expects to find.</summary>
/// <param name="Path">The file's absolute path.</param>
/// <param name="ContentType">The media type kept with the version.</param>
/// <param name="Expected">The version the commit must replace (If-Match, If-None-Match: *); Any for none.</param>
/// <param name="LockOwner">The owner whose lock on the path the writer holds, if any.</param>
/// <param name="ExpectedLength">The length the content announced (Content-Length); a content that ends short of it, or runs past it, commits nothing.</param>
public sealed record FileUploadRequest(string Path, string ContentType, ExpectedVersion Expected, string? LockOwner = null, long? ExpectedLength = null);
