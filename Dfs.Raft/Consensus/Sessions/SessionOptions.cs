using Dfs.Common.Validation;

namespace Dfs.Raft.Consensus.Sessions;

/// <summary>Limits of the client session table. Every replica must use the same values.</summary>
public sealed record SessionOptions
{
    /// <summary>
    /// A session with no command for longer than this (by the leaders' clocks carried in the log) is
    /// forgotten. Clients must give up retrying a command well before this. Default 1 hour.
    /// </summary>
    public long IdleTimeoutMs { get; init; } = 60 * 60 * 1000;

    /// <summary>
    /// Responses kept per client for sequence numbers it has not acknowledged; beyond this the oldest are
    /// discarded (and a retry of them answers <see cref="SessionResultKind.ResponseDiscarded"/>). Default 1024.
    /// </summary>
    public int MaxResponsesPerClient { get; init; } = 1024;

    /// <summary>Validates the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(IdleTimeoutMs >= 1, $"IdleTimeoutMs must be positive (is {IdleTimeoutMs}).")
        .Require(MaxResponsesPerClient >= 1, $"MaxResponsesPerClient must be positive (is {MaxResponsesPerClient}).")
        .ThrowIfAny();
}
