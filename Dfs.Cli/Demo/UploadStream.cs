using System.Collections.Concurrent;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Demo;

/// <summary>
/// A steady stream of small uploads and reads through the gateway: each writer starts an upload every interval (without
/// waiting for the previous one, up to a few in flight, so uploads keep starting while the cluster fails over) and reads
/// back one of its earlier files after each acknowledgement. Every upload is recorded with its start, end and outcome;
/// acknowledged bytes are kept to be verified at the end.
/// </summary>
/// <remarks>Thread-safe. Times are milliseconds of the demo's clock.</remarks>
internal sealed class UploadStream : IAsyncDisposable
{
    private const int MaxInFlightPerWriter = 8;

    private readonly GatewayClient _gateway;
    private readonly string _root;
    private readonly UploadStreamOptions _options;
    private readonly Func<long> _clock;
    private readonly ConcurrentQueue<UploadRecord> _records = new();
    private readonly ConcurrentDictionary<string, byte[]> _acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _badReads = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private long _readsOk;
    private long _readsFailed;

    public UploadStream(GatewayClient gateway, string root, UploadStreamOptions options, Func<long> clock)
    {
        _gateway = gateway;
        _root = root.TrimEnd('/');
        _options = options;
        _clock = clock;
    }

    /// <summary>Every upload finished so far, in the order they finished.</summary>
    public IReadOnlyCollection<UploadRecord> Records => _records;

    public int AcknowledgedCount => _acknowledged.Count;

    public long ReadsOk => Interlocked.Read(ref _readsOk);

    /// <summary>Reads that got no answer or an error (during a failover); never wrong bytes, those are <see cref="BadReads"/>.</summary>
    public long ReadsFailed => Interlocked.Read(ref _readsFailed);

    /// <summary>Reads that answered with bytes other than those acknowledged, or said an acknowledged file is missing.</summary>
    public IReadOnlyCollection<string> BadReads => _badReads;

    public void Start()
    {
        for (var writer = 0; writer < _options.Writers; writer++)
        {
            var w = writer;
            _writers.Add(Task.Run(() => WriteLoopAsync(w)));
        }
    }

    /// <summary>
    /// Uploads <paramref name="count"/> files of <paramref name="bytes"/> each under <c>{root}/chunked/</c>, a few at a time, recorded
    /// like the stream's own uploads, so the final read-back checks them too. Returns how many were acknowledged.
    /// </summary>
    public async Task<int> StoreFilesAsync(int count, int bytes, CancellationToken cancellationToken)
    {
        var stored = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var data = new byte[bytes];
            new Random(-1 - i).NextBytes(data);
            var path = $"{_root}/chunked/{i:D4}.bin";
            var started = _clock();
            try
            {
                using var content = new MemoryStream(data, writable: false);
                await _gateway.PutFileAsync(path, content, data.Length, new PutFileOptions(), ct);
                _acknowledged[path] = data;
                _records.Enqueue(new UploadRecord(path, started, _clock(), true, null));
                Interlocked.Increment(ref stored);
            }
            catch (Exception e) when (e is GatewayProblemException or GatewayUnreachableException)
            {
                _records.Enqueue(new UploadRecord(path, started, _clock(), false, e.Message));
            }
        });
        return stored;
    }

    /// <summary>Stops starting uploads and waits for those in flight to finish.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>Reads back every acknowledged upload and compares it byte for byte.</summary>
    public async Task<VerifyResult> VerifyAsync(CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        var corrupt = new List<string>();
        var unreadable = new List<string>();
        var verified = 0;
        foreach (var (path, expected) in _acknowledged.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var outcome = await ReadBackAsync(path, expected, cancellationToken);
            // A read that got no answer is tried again a few times: only bytes decide between verified and corrupt.
            for (var retry = 0; outcome == ReadOutcome.Unavailable && retry < 5; retry++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                outcome = await ReadBackAsync(path, expected, cancellationToken);
            }
            switch (outcome)
            {
                case ReadOutcome.Same:
                    verified++;
                    break;
                case ReadOutcome.Missing:
                    missing.Add(path);
                    break;
                case ReadOutcome.Unavailable:
                    unreadable.Add(path);
                    break;
                default:
                    corrupt.Add(path);
                    break;
            }
        }
        return new VerifyResult(_acknowledged.Count, verified, missing, corrupt, unreadable);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(int writer)
    {
        using var inFlight = new SemaphoreSlim(MaxInFlightPerWriter, MaxInFlightPerWriter);
        var running = new List<Task>();
        var random = new Random(writer + 1);
        var acknowledged = new List<string>();
        var intervalMs = (long)_options.Interval.TotalMilliseconds;
        // Writers start spread over one interval, so uploads start evenly rather than in bursts.
        var next = _clock() + (intervalMs * writer / Math.Max(1, _options.Writers));
        try
        {
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var wait = next - _clock();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }
                await inFlight.WaitAsync(_stop.Token);
                var number = n;
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await UploadOneAsync(writer, number, random, acknowledged);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }));
                running.RemoveAll(t => t.IsCompleted);
                // Behind by more than an interval (the writer was held by its in-flight limit): start again from now, without a burst.
                next = Math.Max(next + intervalMs, _clock() - intervalMs);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
        await Task.WhenAll(running);
    }

    private async Task UploadOneAsync(int writer, int number, Random shared, List<string> acknowledged)
    {
        int size;
        lock (shared)
        {
            size = shared.Next(_options.MinBytes, _options.MaxBytes + 1);
        }
        var data = new byte[size];
        new Random((writer * 1_000_003) + number).NextBytes(data);
        var path = $"{_root}/w{writer}/{number:D6}.bin";
        var started = _clock();
        try
        {
            // Uploads are never cancelled by a stop: each one finishes and is recorded as acknowledged or failed.
            using var content = new MemoryStream(data, writable: false);
            await _gateway.PutFileAsync(path, content, data.Length, new PutFileOptions(), CancellationToken.None);
            _acknowledged[path] = data;
            _records.Enqueue(new UploadRecord(path, started, _clock(), true, null));
        }
        catch (Exception e) when (e is GatewayProblemException or GatewayUnreachableException)
        {
            _records.Enqueue(new UploadRecord(path, started, _clock(), false, e.Message));
            return;
        }

        string? earlier;
        lock (acknowledged)
        {
            earlier = acknowledged.Count == 0 ? null : acknowledged[shared.Next(acknowledged.Count)];
            acknowledged.Add(path);
        }
        if (earlier is not null)
        {
            var outcome = await ReadBackAsync(earlier, _acknowledged[earlier], CancellationToken.None);
            if (outcome == ReadOutcome.Same)
            {
                Interlocked.Increment(ref _readsOk);
            }
            else if (outcome == ReadOutcome.Unavailable)
            {
                Interlocked.Increment(ref _readsFailed);
            }
            else
            {
                _badReads.Enqueue($"{earlier}: {outcome}");
            }
        }
    }

    private async Task<ReadOutcome> ReadBackAsync(string path, byte[] expected, CancellationToken cancellationToken)
    {
        try
        {
            using var download = await _gateway.OpenFileAsync(path, cancellationToken: cancellationToken);
            var buffer = new byte[expected.Length + 1];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await download.Content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }
            return filled == expected.Length && buffer.AsSpan(0, filled).SequenceEqual(expected) ? ReadOutcome.Same : ReadOutcome.Different;
        }
        catch (GatewayProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return ReadOutcome.Missing;
        }
        catch (Exception e) when (e is GatewayProblemException or GatewayUnreachableException or IOException)
        {
            return ReadOutcome.Unavailable;
        }
    }

    private enum ReadOutcome
    {
        Same,
        Different,
        Missing,
        Unavailable,
    }
}
