namespace Dfs.Cli.Commands;

/// <summary>One downloaded file, as <c>dfs get --json</c> prints it.</summary>
internal sealed record DownloadResult(string Remote, string Local, long Size, long? Version, string? Etag);
