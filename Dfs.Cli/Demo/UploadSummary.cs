namespace Dfs.Cli.Demo;

/// <summary>The whole stream: uploads made, acknowledged, failed, and read back at the end.</summary>
/// <param name="BadReadsDuringStream">Reads during the stream that served other bytes than acknowledged (goal 0).</param>
internal sealed record UploadSummary(
    int Started,
    int Acknowledged,
    int Failed,
    int Verified,
    int Lost,
    int Missing,
    int Corrupt,
    int Unreadable,
    int BadReadsDuringStream,
    long ReadsOk,
    long ReadsFailed);
