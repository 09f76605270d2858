using Dfs.Client.Chunks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// Re-verifies every committed replica in the background at a bounded rate, so corruption at rest is found
/// before a reader needs the replica (GFS §5.2 idle scanning, the HDFS block scanner).
/// </summary>
/// <remarks>
/// A corrupt replica is quarantined by the store's <see cref="IChunkStore.VerifyAsync"/>, which raises the
/// store's <see cref="IReplicaCorruptionSource.ReplicaCorrupted"/> event: the same path a failed client read takes.
/// Pacing is per replica with a token bucket on the injected <see cref="TimeProvider"/>.
/// </remarks>
public sealed class ChunkScrubber : BackgroundService
{
    private readonly IChunkStore _store;
    private readonly ChunkScrubberOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TokenBucket _bucket;
    private long _replicasVerified;
    private long _bytesVerified;
    private long _corruptFound;

    public ChunkScrubber(IChunkStore store, ChunkScrubberOptions options, TimeProvider? timeProvider = null, ILogger<ChunkScrubber>? logger = null)
    {
        options.Validate();
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _bucket = new TokenBucket(options.BytesPerSecond, options.BurstBytes, _time);
    }

    /// <summary>Replicas verified since the scrubber was created.</summary>
    public long ReplicasVerified => Interlocked.Read(ref _replicasVerified);

    /// <summary>Bytes verified since the scrubber was created.</summary>
    public long BytesVerified => Interlocked.Read(ref _bytesVerified);

    /// <summary>Corrupt replicas found since the scrubber was created.</summary>
    public long CorruptFound => Interlocked.Read(ref _corruptFound);

    /// <summary>Verifies every replica listed at the start of the pass, paced to <see cref="ChunkScrubberOptions.BytesPerSecond"/>.</summary>
    public async Task<ScrubPassResult> RunPassAsync(CancellationToken cancellationToken)
    {
        var replicas = 0;
        var bytes = 0L;
        var corrupt = 0;
        foreach (var chunk in _store.List())
        {
            var wait = _bucket.Take(chunk.Length);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
            bool intact;
            try
            {
                intact = await _store.VerifyAsync(chunk.Id, cancellationToken);
            }
            catch (ChunkStoreException e) when (e.Error == ChunkError.NotFound)
            {
                // Deleted or replaced since the listing: nothing to check.
                continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ScrubFailed(_logger, chunk.Id, e);
                continue;
            }
            replicas++;
            bytes += chunk.Length;
            Interlocked.Increment(ref _replicasVerified);
            Interlocked.Add(ref _bytesVerified, chunk.Length);
            if (!intact)
            {
                corrupt++;
                Interlocked.Increment(ref _corruptFound);
            }
        }
        Log.ScrubPassCompleted(_logger, replicas, bytes, corrupt);
        return new ScrubPassResult(replicas, bytes, corrupt);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(_options.InitialDelay, _time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RunPassAsync(stoppingToken);
                await Task.Delay(_options.PassInterval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
