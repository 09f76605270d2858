namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One page of <c>GET /api/files?prefix=</c>; <see cref="Next"/> is the cursor of the next page, or null after the last.</summary>
public sealed record FileListPage(IReadOnlyList<FileListItem> Items, string? Next);
