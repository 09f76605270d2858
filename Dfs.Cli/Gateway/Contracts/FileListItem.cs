namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One file of <c>GET /api/files?prefix=</c>.</summary>
public sealed record FileListItem(string Path, long Size, long Version, DateTimeOffset Modified, string Etag);
