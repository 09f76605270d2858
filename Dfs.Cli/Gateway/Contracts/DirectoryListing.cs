namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One page of <c>GET /api/dirs/{path}</c>; <see cref="Next"/> is the name to pass as <c>after</c>, or null after the last page.</summary>
public sealed record DirectoryListing(string Path, IReadOnlyList<DirectoryEntry> Entries, string? Next);
