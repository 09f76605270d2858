namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One kept version of a file.</summary>
public sealed record VersionInfo(long Version, long Size, string Etag, DateTimeOffset Modified, string? ContentType);
