using Dfs.Client.Chunks;
using Dfs.Common.Validation;
namespace Dfs.ChunkServer.Storage;

/// <summary>How fast and how often the <see cref="ChunkScrubber"/> re-verifies stored replicas.</summary>
public sealed class ChunkScrubberOptions
{
    /// <summary>Average verification rate in bytes per second (default 8 MiB/s, so it stays out of the way of client I/O).</summary>
    public long BytesPerSecond { get; init; } = 8L << 20;

    /// <summary>Bytes that may be verified at once before pacing starts (default 1 MiB).</summary>
    public long BurstBytes { get; init; } = 1L << 20;

    /// <summary>Pause between the end of one pass over every replica and the start of the next (default 1 hour).</summary>
    public TimeSpan PassInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Pause before the first pass, so a restarting server first serves and reports (default 1 minute).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(BytesPerSecond > 0, $"BytesPerSecond of the scrubber must be positive (is {BytesPerSecond}).")
        .Require(BurstBytes >= 0, $"BurstBytes of the scrubber must not be negative (is {BurstBytes}).")
        .Require(PassInterval >= TimeSpan.Zero, $"PassInterval of the scrubber must not be negative (is {PassInterval}).")
        .Require(InitialDelay >= TimeSpan.Zero, $"InitialDelay of the scrubber must not be negative (is {InitialDelay}).")
        .ThrowIfAny();
}
