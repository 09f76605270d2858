namespace Dfs.Cli.Demo;

/// <summary>One upload of the demo's stream: when it started and ended (ms of the demo's clock) and whether the gateway acknowledged it.</summary>
internal sealed record UploadRecord(string Path, long StartedMs, long EndedMs, bool Acknowledged, string? Error);
