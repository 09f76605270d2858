using Dfs.Common.Validation;

namespace Dfs.Client.Master;

/// <summary>How a <see cref="MasterClient"/> retries.</summary>
public sealed record MasterClientOptions
{
    /// <summary>How long one call keeps retrying (through elections and failovers) before it gives up. Default 15 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one attempt at one master may take before the client tries another. Default 2 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long <see cref="MasterClient.GetStatusAsync"/> waits for the one master it asks. Default 1 s.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First pause between attempts when no master can answer; doubles up to <see cref="MaxBackoff"/>. Default 10 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Longest pause between attempts. Default 50 ms: during an election every master is asked who leads before each pause, so
    /// pauses are short to pick up a new leader within a few tens of milliseconds of its election.
    /// </summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The clock for call and attempt timeouts and for the pauses between attempts. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(CallTimeout > TimeSpan.Zero, $"CallTimeout must be positive (is {CallTimeout}).")
        .Require(AttemptTimeout > TimeSpan.Zero, $"AttemptTimeout must be positive (is {AttemptTimeout}).")
        .Require(InitialBackoff > TimeSpan.Zero && MaxBackoff >= InitialBackoff,
            $"InitialBackoff ({InitialBackoff}) must be positive and at most MaxBackoff ({MaxBackoff}).")
        .ThrowIfAny();
}
