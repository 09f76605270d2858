using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>Paces work to an average rate with a bounded burst, on a <see cref="TimeProvider"/> clock.</summary>
/// <remarks>Not thread-safe: one pacer per loop.</remarks>
internal sealed class TokenBucket
{
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _lastRefill;

    public TokenBucket(long ratePerSecond, long burst, TimeProvider time)
    {
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>Spends <paramref name="amount"/> tokens (the balance may go negative) and says how long to wait before doing the work.</summary>
    public TimeSpan Take(long amount)
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_lastRefill, now).TotalSeconds * _ratePerSecond));
        _lastRefill = now;
        _tokens -= amount;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _ratePerSecond);
    }
}
