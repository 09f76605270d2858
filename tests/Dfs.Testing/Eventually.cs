using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Dfs.Testing;

/// <summary>Bounded waits on observable state: the only way tests wait for something to happen.</summary>
/// <remarks>
/// The condition is polled on real time with a short delay between polls. On timeout a
/// <see cref="WaitTimeoutException"/> says what was expected (the condition's source text unless
/// <c>expected</c> is given) and what was last seen (<c>describeState</c>, evaluated after the last poll).
/// Exceptions thrown by the condition or the description propagate unchanged.
/// </remarks>
public static partial class Eventually
{
    /// <summary>The default delay between two polls.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits until <paramref name="condition"/> is true, for at most <paramref name="timeout"/>.</summary>
    /// <exception cref="WaitTimeoutException">The condition stayed false for the whole timeout.</exception>
    public static Task WaitUntilAsync(
        Func<bool> condition,
        TimeSpan timeout,
        Func<string> describeState,
        [CallerArgumentExpression(nameof(condition))] string? expected = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitUntilAsync(
            _ => ValueTask.FromResult(condition()),
            timeout,
            describeState,
            expected,
            pollInterval,
            cancellationToken);
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> is true, for at most <paramref name="timeout"/>.</summary>
    /// <remarks>A single evaluation of the condition is not cut short by the timeout; it receives the token.</remarks>
    /// <exception cref="WaitTimeoutException">The condition stayed false for the whole timeout.</exception>
    public static async Task WaitUntilAsync(
        Func<CancellationToken, ValueTask<bool>> condition,
        TimeSpan timeout,
        Func<string> describeState,
        [CallerArgumentExpression(nameof(condition))] string? expected = null,
        TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describeState);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var delay = pollInterval ?? DefaultPollInterval;
        var started = Stopwatch.GetTimestamp();
        var polls = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            polls++;
            if (await condition(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= timeout)
            {
                throw new WaitTimeoutException(
                    $"Timed out after {elapsed.TotalMilliseconds:F0} ms ({polls} polls): expected {Expectation(expected)}; last seen: {describeState()}");
            }

            var remaining = timeout - elapsed;
            await Task.Delay(remaining < delay ? remaining : delay, cancellationToken).ConfigureAwait(false);
        }
    }

    // The caller's lambda source reads as the expectation once its parameter list is dropped.
    private static string Expectation(string? expected)
    {
        if (string.IsNullOrWhiteSpace(expected))
        {
            return "the condition to hold";
        }

        var match = LambdaPrefix().Match(expected);
        return match.Success ? match.Groups["body"].Value.Trim() : expected.Trim();
    }

    [GeneratedRegex(@"^\s*(async\s+)?(\([^)]*\)|\w+)\s*=>\s*(?<body>.*)$", RegexOptions.Singleline)]
    private static partial Regex LambdaPrefix();
}
