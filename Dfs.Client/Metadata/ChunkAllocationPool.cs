namespace Dfs.Client.Metadata;

/// <summary>
/// Chunk allocations drawn from the masters in batches for a writer of many files: one request, and one log entry on the
/// masters, serves as many writes as asked for a chunk in the last half of <see cref="MaxAge"/>, up to the batch limit.
/// </summary>
/// <remarks>
/// An allocation is handed out only while it is younger than <see cref="MaxAge"/>: the leader counts an allocation's pipeline
/// as the chunk's replicas until their reports arrive, for one dead timeout, and a placement made long ago may name servers that
/// have since filled up or died. An allocation never handed out is never written; the masters collect its record as an orphan
/// after their grace. Because a batch follows demand, a writer that writes a file now and then draws one allocation at a time
/// and leaves none behind; a steady writer leaves at most one batch behind when it stops. Only allocations with no servers to
/// avoid come from here: pipeline recovery asks the masters directly. Thread-safe.
/// </remarks>
public sealed class ChunkAllocationPool
{
    private readonly IMetadataService _metadata;
    private readonly int _maxBatch;
    private readonly long _maxAgeTicks;
    private readonly long _windowTicks;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<(ChunkAllocation Allocation, long DrawnAt)> _ready = new();
    private Task? _refill;
    private long _windowStart;
    private int _demandThisWindow;
    private int _demandLastWindow;

    /// <param name="metadata">The masters.</param>
    /// <param name="maxBatch">The most allocations one request asks for (1..<see cref="ChunkAllocation.MaxPerRequest"/>; 1 asks for each alone).</param>
    /// <param name="maxAge">How long an allocation stays fit to hand out; keep it well below the masters' dead timeout.</param>
    /// <param name="time">The clock ages are measured on.</param>
    public ChunkAllocationPool(IMetadataService metadata, int maxBatch, TimeSpan maxAge, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBatch, ChunkAllocation.MaxPerRequest);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        _metadata = metadata;
        _maxBatch = maxBatch;
        _time = time ?? TimeProvider.System;
        _maxAgeTicks = (long)(maxAge.TotalSeconds * _time.TimestampFrequency);
        _windowTicks = Math.Max(1, _maxAgeTicks / 2);
        _windowStart = _time.GetTimestamp();
    }

    /// <summary>How long an allocation stays fit to hand out.</summary>
    public TimeSpan MaxAge => TimeSpan.FromSeconds((double)_maxAgeTicks / _time.TimestampFrequency);

    /// <summary>Batches the masters answered.</summary>
    public long Requests { get; private set; }

    /// <summary>Allocations the masters answered, over all requests.</summary>
    public long Drawn { get; private set; }

    /// <summary>Allocations handed out to writes.</summary>
    public long Taken { get; private set; }

    /// <summary>Allocations dropped unused because they grew older than <see cref="MaxAge"/>.</summary>
    public long Expired { get; private set; }

    /// <summary>A fresh allocation of one chunk for a write to <paramref name="path"/>: from the pool, or from a batch drawn now.</summary>
    /// <exception cref="MetadataException">The path is malformed (InvalidPath, as the masters would answer), or the masters refused the batch.</exception>
    public async Task<ChunkAllocation> TakeAsync(string path, CancellationToken cancellationToken)
    {
        // Checked here because the batch goes out under one caller's path and must not fail for the others.
        MetadataPath.Parse(path);
        var counted = false;
        while (true)
        {
            Task refill;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                if (!counted)
                {
                    CountDemand(now);
                    counted = true;
                }
                while (_ready.TryDequeue(out var ready))
                {
                    if (now - ready.DrawnAt < _maxAgeTicks)
                    {
                        Taken++;
                        return ready.Allocation;
                    }
                    Expired++;
                }
                if (_refill is { IsCompleted: true })
                {
                    _refill = null;
                }
                // One batch in flight at a time: callers that find the pool empty meanwhile wait for it and share it. It runs on
                // the thread pool, not under this lock (the request may run synchronously up to its first wait).
                var count = Math.Clamp(Math.Max(_demandThisWindow, _demandLastWindow), 1, _maxBatch);
                refill = _refill ??= Task.Run(() => DrawAsync(path, count), CancellationToken.None);
            }
            await refill.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DrawAsync(string path, int count)
    {
        // Not the caller's token: the batch serves every caller that waits for it.
        var drawnAt = _time.GetTimestamp();
        var allocations = await _metadata.AllocateChunksAsync(path, count, CancellationToken.None).ConfigureAwait(false);
        lock (_gate)
        {
            Requests++;
            Drawn += allocations.Count;
            foreach (var allocation in allocations)
            {
                _ready.Enqueue((allocation, drawnAt));
            }
        }
    }

    // Demand is the takes of the current window and of the one before it, each half the max age long: a batch of that size
    // is used up well before its allocations grow too old, whether the rate holds or falls.
    private void CountDemand(long now)
    {
        var windows = (now - _windowStart) / _windowTicks;
        if (windows > 0)
        {
            _demandLastWindow = windows == 1 ? _demandThisWindow : 0;
            _demandThisWindow = 0;
            _windowStart += windows * _windowTicks;
        }
        _demandThisWindow++;
    }
}
