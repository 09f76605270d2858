namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>PUT /api/files/{path}</c>: the version just written.</summary>
public sealed record FileWriteResult(string Path, long Version, long Size, string Etag, DateTimeOffset Modified);
