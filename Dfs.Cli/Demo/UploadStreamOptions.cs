namespace Dfs.Cli.Demo;

/// <summary>The shape of the demo's upload stream.</summary>
/// <param name="Writers">Concurrent writers.</param>
/// <param name="Interval">How often each writer starts an upload.</param>
/// <param name="MinBytes">Smallest file.</param>
/// <param name="MaxBytes">Largest file.</param>
internal sealed record UploadStreamOptions(int Writers, TimeSpan Interval, int MinBytes, int MaxBytes);
