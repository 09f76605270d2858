using System.Buffers;
using System.Net.Sockets;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Common.Hashing;

namespace Dfs.Client.Chunks;

/// <summary>The state of one chunk write: the window of unacknowledged packets and the current pipeline.</summary>
/// <remarks>
/// One driver (the caller's task) reads the source, sends packets and recovers; an ack reader per pipeline
/// releases acknowledged packets; a watchdog fails a pipeline that stops acknowledging. The first failure of
/// a pipeline cancels it, and the driver rebuilds from the survivors.
/// </remarks>
internal sealed partial class PipelineWrite
{
    private readonly ChunkWriteOptions _options;
    private readonly ChunkId _id;
    private readonly PacketSource _source;
    private readonly List<ChunkEndpoint> _chain;
    private readonly object _gate = new();
    private readonly Queue<Packet> _unacked = new();
    private readonly SemaphoreSlim _progress = new(0);
    private readonly List<string> _failureLog = [];
    private long _version;
    private long _acked;
    private long _total;
    private uint _checksum;
    private bool _eof;
    private bool _commitSent;
    private ChunkInfo? _committed;
    private ChunkServerException? _failure;
    private int _recoveries;
    private long _lastProgress;
    private Pipeline? _pipeline;

    public PipelineWrite(ChunkWriteOptions options, ChunkId id, long version, IReadOnlyList<ChunkEndpoint> chain, PacketSource source)
    {
        if (chain.Count == 0)
        {
            throw new ArgumentException("A write needs at least one chunk server.", nameof(chain));
        }
        if (chain.Count > WriteBlockRequest.MaxChainLength)
        {
            throw new ArgumentException($"A pipeline has at most {WriteBlockRequest.MaxChainLength} servers; {chain.Count} were given.", nameof(chain));
        }
        _options = options;
        _id = id;
        _version = version;
        _chain = [.. chain];
        _source = source;
    }

    /// <summary>Where a recovery takes its new chunk version; null: the current version plus one.</summary>
    public Func<long, IReadOnlyList<ChunkEndpoint>, CancellationToken, Task<long>>? BumpVersion { get; init; }

    /// <summary>CRC-32C of every byte read from the source so far, combined from the packets' CRCs.</summary>
    private uint Checksum => _checksum;

    public async Task<ChunkWriteResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await SetUpAsync(resume: false, offset: 0, cancellationToken))
            {
                await RecoverAsync(cancellationToken);
            }
            while (true)
            {
                if (CurrentFailure() is not null)
                {
                    await RecoverAsync(cancellationToken);
                    continue;
                }
                if (_committed is { } info)
                {
                    return new ChunkWriteResult(info, [.. _chain], _recoveries);
                }
                try
                {
                    await StepAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The pipeline was cancelled by its failure; the loop recovers.
                }
            }
        }
        finally
        {
            await TearDownAsync();
            lock (_gate)
            {
                while (_unacked.TryDequeue(out var packet))
                {
                    ArrayPool<byte>.Shared.Return(packet.Buffer);
                }
            }
            _progress.Dispose();
        }
    }

    /// <summary>Sends the next packet or the commit if the window allows, else waits for an ack.</summary>
    private async Task StepAsync(CancellationToken cancellationToken)
    {
        var pipeline = _pipeline!;
        int unacked;
        lock (_gate)
        {
            unacked = _unacked.Count;
        }
        if (!_eof && unacked < _options.WindowPackets)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(_options.PacketBytes);
            int filled;
            try
            {
                filled = await _source.FillAsync(buffer.AsMemory(0, _options.PacketBytes), cancellationToken);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
            if (filled < _options.PacketBytes)
            {
                _eof = true;
            }
            if (filled == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            var packet = new Packet(buffer, filled, _total);
            // One pass over the bytes: the packet's CRC goes on the wire and into the whole chunk's.
            var crc = Crc32C.Compute(packet.Data.Span);
            _checksum = Crc32C.Combine(_checksum, crc, filled);
            _total += filled;
            lock (_gate)
            {
                if (_unacked.Count == 0)
                {
                    Volatile.Write(ref _lastProgress, _options.TimeProvider.GetTimestamp());
                }
                _unacked.Enqueue(packet);
            }
            await SendAsync(pipeline, connection => ChunkWire.SendData(connection, pipeline.RequestId, packet.Offset, packet.Data.Span, crc));
            return;
        }
        if (_eof && !_commitSent)
        {
            _commitSent = true;
            Volatile.Write(ref _lastProgress, _options.TimeProvider.GetTimestamp());
            await SendAsync(pipeline, connection => ChunkWire.Send(connection, pipeline.RequestId, new CommitRequest(_total, Checksum)));
            return;
        }
        await _progress.WaitAsync(pipeline.Token);
    }

    private async Task SendAsync(Pipeline pipeline, Action<FrameConnection> write)
    {
        try
        {
            write(pipeline.Connection);
            await pipeline.Connection.FlushAsync(pipeline.Token);
        }
        catch (IOException e)
        {
            // The primary may have sent an error (with the failed node) just before closing: prefer it.
            try
            {
                await pipeline.AckReader.WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
            }
            MarkFailed(pipeline, new ChunkServerException(ChunkErrorCode.Unreachable, $"The connection to {_chain[0]} broke: {e.Message}"));
        }
    }

    private ChunkServerException? CurrentFailure()
    {
        lock (_gate)
        {
            return _failure;
        }
    }

    private void MarkFailed(Pipeline pipeline, ChunkServerException failure)
    {
        lock (_gate)
        {
            if (_pipeline != pipeline || _failure is not null)
            {
                return;
            }
            _failure = failure;
        }
        pipeline.Cancel();
        _progress.Release();
    }

    /// <summary>Opens a pipeline through <see cref="_chain"/> at the current version; false (with the failure recorded) if it cannot.</summary>
    private async Task<bool> SetUpAsync(bool resume, long offset, CancellationToken cancellationToken)
    {
        var primary = _chain[0];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        FrameConnection? connection = null;
        try
        {
            connection = await FrameConnection.ConnectAsync(primary.Host, primary.Port, timeout.Token);
            var requestId = (ulong)(_recoveries + 1);
            ChunkWire.Send(connection, requestId, new WriteBlockRequest(_id, _version, resume, offset, _chain.Skip(1).ToArray()));
            await connection.FlushAsync(timeout.Token);
            var ack = ChunkWire.Expect<AckMessage>(await connection.ReadAsync(timeout.Token), primary.ToString());
            if (ack.Offset != offset)
            {
                throw new ChunkServerException(ChunkErrorCode.Protocol, $"{primary} set up the pipeline at offset {ack.Offset} instead of {offset}.");
            }
            var pipeline = new Pipeline(connection, requestId, cancellationToken);
            connection = null;
            lock (_gate)
            {
                _failure = null;
                _pipeline = pipeline;
                Acknowledge(offset);
            }
            Volatile.Write(ref _lastProgress, _options.TimeProvider.GetTimestamp());
            pipeline.AckReader = Task.Run(() => AckLoopAsync(pipeline), CancellationToken.None);
            pipeline.Watchdog = WatchdogAsync(pipeline);
            return true;
        }
        catch (ChunkServerException e)
        {
            RecordSetupFailure(e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            RecordSetupFailure(new ChunkServerException(ChunkErrorCode.Timeout, $"{primary} did not set up the pipeline within {_options.ConnectTimeout.TotalSeconds:0.#} s."));
        }
        catch (Exception e) when (e is IOException or SocketException or FramingException)
        {
            RecordSetupFailure(new ChunkServerException(ChunkErrorCode.Unreachable, $"Cannot reach {primary}: {e.Message}"));
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeQuietlyAsync();
            }
        }
        return false;
    }

    private void RecordSetupFailure(ChunkServerException failure)
    {
        lock (_gate)
        {
            _pipeline = null;
            _failure = failure;
        }
    }

    /// <summary>Releases the packets every replica holds. Caller holds <see cref="_gate"/>.</summary>
    private void Acknowledge(long offset)
    {
        if (offset <= _acked)
        {
            return;
        }
        _acked = offset;
        while (_unacked.TryPeek(out var packet) && packet.End <= offset)
        {
            _unacked.Dequeue();
            ArrayPool<byte>.Shared.Return(packet.Buffer);
        }
    }

    private async Task AckLoopAsync(Pipeline pipeline)
    {
        var peer = _chain[0].ToString();
        try
        {
            while (true)
            {
                var read = await pipeline.Connection.ReadAsync(pipeline.Token);
                if (read is not { } frame)
                {
                    MarkFailed(pipeline, new ChunkServerException(ChunkErrorCode.Unreachable, $"{peer} closed the pipeline connection."));
                    return;
                }
                switch ((ChunkFrameType)frame.Type)
                {
                    case ChunkFrameType.Ack:
                        var ack = ChunkWire.Parse<AckMessage>(frame);
                        lock (_gate)
                        {
                            Acknowledge(ack.Offset);
                        }
                        Volatile.Write(ref _lastProgress, _options.TimeProvider.GetTimestamp());
                        _options.OnAcknowledged?.Invoke(ack.Offset);
                        _progress.Release();
                        break;
                    case ChunkFrameType.Committed:
                        var info = ChunkWire.Parse<ChunkInfoMessage>(frame).Info;
                        lock (_gate)
                        {
                            Acknowledge(info.Length);
                            _committed = info;
                        }
                        _progress.Release();
                        return;
                    case ChunkFrameType.Error:
                        MarkFailed(pipeline, ChunkWire.Parse<ErrorMessage>(frame).ToException());
                        return;
                    default:
                        MarkFailed(pipeline, new ChunkServerException(ChunkErrorCode.Protocol, $"{peer} sent frame type {frame.Type} inside a write pipeline."));
                        return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ChunkProtocolException)
        {
            MarkFailed(pipeline, new ChunkServerException(ChunkErrorCode.Unreachable, $"The connection to {peer} broke: {e.Message}"));
        }
    }

    private async Task WatchdogAsync(Pipeline pipeline)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(_options.AckTimeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(pipeline.Token))
            {
                bool outstanding;
                lock (_gate)
                {
                    outstanding = _committed is null && (_unacked.Count > 0 || _commitSent);
                }
                if (outstanding && _options.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastProgress)) > _options.AckTimeout)
                {
                    MarkFailed(pipeline, new ChunkServerException(ChunkErrorCode.Timeout,
                        $"{_chain[0]} acknowledged nothing for {_options.AckTimeout.TotalSeconds:0.#} s with data outstanding."));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TearDownAsync()
    {
        Pipeline? pipeline;
        lock (_gate)
        {
            pipeline = _pipeline;
            _pipeline = null;
        }
        if (pipeline is null)
        {
            return;
        }
        pipeline.Cancel();
        await Task.WhenAll(pipeline.AckReader, pipeline.Watchdog);
        await pipeline.Connection.DisposeQuietlyAsync();
        pipeline.Dispose();
    }

    /// <summary>A packet kept until every replica acknowledged it; its bytes are a pooled buffer.</summary>
    private readonly record struct Packet(byte[] Buffer, int Length, long Offset)
    {
        public long End => Offset + Length;

        public ReadOnlyMemory<byte> Data => Buffer.AsMemory(0, Length);
    }

    /// <summary>One incarnation of the pipeline: the connection to its primary and what runs on it.</summary>
    private sealed class Pipeline(FrameConnection connection, ulong requestId, CancellationToken writeCancelled) : IDisposable
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(writeCancelled);

        public FrameConnection Connection { get; } = connection;

        public ulong RequestId { get; } = requestId;

        public CancellationToken Token => _cts.Token;

        public Task AckReader { get; set; } = Task.CompletedTask;

        public Task Watchdog { get; set; } = Task.CompletedTask;

        public void Cancel()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _cts.Dispose();
    }
}
