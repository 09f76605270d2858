namespace Dfs.Testing.Linearizability;

/// <summary>One completed (or indeterminate) client operation of a history: what was asked, what came back, and when.</summary>
/// <remarks>
/// Times are on one monotonic clock shared by all clients (any unit). The operation took effect, if at all,
/// at some instant between <see cref="CallTime"/> and <see cref="ReturnTime"/>. An operation that never
/// returned (timeout, lost connection: the client cannot know whether it took effect) has
/// <see cref="ReturnTime"/> = <see cref="Never"/>: it may take effect at any point after its call, or never,
/// and its <see cref="Output"/> is the model's "unknown" output. Operations that definitely failed without
/// effect are left out of the history.
/// </remarks>
/// <param name="ClientId">The client that issued it (for messages; clients need not be sequential).</param>
/// <param name="Input">What the client asked.</param>
/// <param name="Output">What came back (the model's unknown output for an indeterminate operation).</param>
/// <param name="CallTime">When the client sent it.</param>
/// <param name="ReturnTime">When the client received the answer, or <see cref="Never"/>.</param>
public sealed record Operation<TInput, TOutput>(int ClientId, TInput Input, TOutput Output, long CallTime, long ReturnTime)
{
    /// <summary>The return time of an operation that never returned: later than every other time.</summary>
    public const long Never = long.MaxValue;

    /// <summary>True when the client never learned the outcome.</summary>
    public bool IsIndeterminate => ReturnTime == Never;

    /// <summary>Creates an operation whose outcome the client never learned.</summary>
    public static Operation<TInput, TOutput> Indeterminate(int clientId, TInput input, TOutput unknownOutput, long callTime) =>
        new(clientId, input, unknownOutput, callTime, Never);

    /// <inheritdoc />
    public override string ToString() =>
        $"client {ClientId} [{CallTime}, {(IsIndeterminate ? "never" : ReturnTime.ToString(System.Globalization.CultureInfo.InvariantCulture))}] {Input} -> {Output}";
}
