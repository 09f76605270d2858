using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;

namespace Dfs.ChunkServer.Pipeline;

/// <summary>
/// One node's part in a write pipeline, on the connection from its upstream (the writer or the previous
/// node): receives packets, forwards each downstream at once while a disk loop writes it locally, and
/// acknowledges offset N upstream only when N is fsynced here and acknowledged by everything downstream.
/// </summary>
/// <remarks>
/// Three loops run concurrently: the upstream loop (read, verify, forward, queue for disk), the disk loop
/// (write, fsync in batches when the queue runs dry or every <see cref="ChunkServerOptions.PacketsPerFsync"/>
/// packets) and the downstream loop (acks and errors from the next node), plus a watchdog for timeouts.
/// The first failure wins: it stops every loop and is reported upstream as an Error frame whose hop count
/// says which node failed; the local replica is then kept pending for a recovery. Replicas commit from the
/// tail up (each only once everything below committed), so a failure during the commit leaves the nodes
/// above it pending and resumable.
/// </remarks>
internal sealed partial class PipelineSession
{
    private readonly ChunkService _service;
    private readonly FrameConnection _upstream;
    private readonly ulong _requestId;
    private readonly WriteBlockRequest _request;
    private readonly CancellationTokenSource _cts;
    private readonly Channel<DiskItem> _disk;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ChunkInfo> _localCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ChunkInfo> _downstreamCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IChunkWriter? _writer;
    private PendingWrites.Entry? _entry;
    private FrameConnection? _downstream;
    private ErrorMessage? _failure;
    private long _received;
    private long _localDurable;
    private long _downstreamAcked = long.MaxValue;
    private long _lastAckSent;
    private long _lastUpstreamActivity;
    private long _lastDownstreamProgress;

    public PipelineSession(ChunkService service, FrameConnection upstream, ulong requestId, WriteBlockRequest request, CancellationToken connectionClosed)
    {
        _service = service;
        _upstream = upstream;
        _requestId = requestId;
        _request = request;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        _disk = Channel.CreateBounded<DiskItem>(new BoundedChannelOptions(service.Options.DiskQueuePackets)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _received = request.Offset;
        _localDurable = request.Offset;
        _lastAckSent = request.Offset;
    }

    /// <summary>Completes when the session has stopped and its writer is committed, parked or handed over.</summary>
    public Task Completion => _completion.Task;

    private string Next => _request.Downstream[0].ToString();

    /// <summary>Stops the session (another request takes its write over).</summary>
    public void Abort() => Fail(ChunkErrorCode.Conflict, 0, $"The write of chunk {_request.Id} was taken over by a recovery on this node.");

    /// <summary>Runs the pipeline until the chunk is committed on every node below, or a failure.</summary>
    /// <returns>True if committed (the connection may carry further requests); false if it must be closed.</returns>
    public async Task<bool> RunAsync()
    {
        var committed = false;
        Task disk = Task.CompletedTask, downstream = Task.CompletedTask, watchdog = Task.CompletedTask;
        try
        {
            if (await SetUpAsync())
            {
                Log.PipelineStarted(_service.Logger, _request.Id, _request.Version, _request.Offset, _request.Downstream.Count);
                disk = Task.Run(DiskLoopAsync);
                if (_downstream is not null)
                {
                    downstream = Task.Run(DownstreamLoopAsync);
                }
                watchdog = WatchdogAsync();
                committed = await UpstreamLoopAsync();
            }
        }
        finally
        {
            try
            {
                _cts.Cancel();
                await Task.WhenAll(disk, downstream, watchdog);
                while (_disk.Reader.TryRead(out var item))
                {
                    item.Release();
                }
                if (_downstream is not null)
                {
                    await _downstream.DisposeQuietlyAsync();
                }
            }
            finally
            {
                // Whoever waits to take this write over must never wait forever.
                await ReleaseWriterAsync();
                _completion.TrySetResult();
            }
        }
        if (!committed)
        {
            await ReportFailureUpstreamAsync();
        }
        _cts.Dispose();
        return committed;
    }

    private async Task<bool> SetUpAsync()
    {
        var store = _service.Store;
        try
        {
            // A write of this chunk still held here (an interrupted one, or one whose upstream is gone) gives way.
            var previous = await _service.PendingWrites.TakeAsync(_request.Id, _cts.Token);
            if (previous is not null)
            {
                await previous.DisposeAsync();
            }
            _writer = _request.Resume
                ? store.ResumeWrite(_request.Id, _request.Version, _request.Offset)
                : store.BeginWrite(_request.Id, _request.Version);
            _entry = _service.PendingWrites.Register(_writer, this);
        }
        catch (ChunkStoreException e)
        {
            Fail(ChunkErrorCodes.From(e.Error), 0, e.Message);
            return false;
        }
        catch (OperationCanceledException)
        {
            Fail(ChunkErrorCode.Unreachable, 0, "The upstream connection closed during setup.");
            return false;
        }

        if (_request.Downstream.Count > 0 && !await ConnectDownstreamAsync())
        {
            return false;
        }

        var now = _service.Time.GetTimestamp();
        Volatile.Write(ref _lastUpstreamActivity, now);
        Volatile.Write(ref _lastDownstreamProgress, now);
        return await SendUpstreamAsync(new AckMessage(_request.Offset));
    }

    private async Task<bool> ConnectDownstreamAsync()
    {
        var next = _request.Downstream[0];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        timeout.CancelAfter(_service.Options.ConnectTimeout);
        try
        {
            _downstream = await FrameConnection.ConnectAsync(next.Host, next.Port, timeout.Token);
            var setup = _request with { Downstream = _request.Downstream.Skip(1).ToArray() };
            ChunkWire.Send(_downstream, _requestId, setup);
            await _downstream.FlushAsync(timeout.Token);
            var ack = ChunkWire.Expect<AckMessage>(await _downstream.ReadAsync(timeout.Token), Next);
            if (ack.Offset != _request.Offset)
            {
                Fail(ChunkErrorCode.Protocol, 1, $"{Next} acknowledged the pipeline setup at offset {ack.Offset} instead of {_request.Offset}.");
                return false;
            }
            _downstreamAcked = _request.Offset;
            return true;
        }
        catch (ChunkServerException e)
        {
            Fail(e.Code, e.Hops + 1, e.Message);
        }
        catch (OperationCanceledException) when (!_cts.IsCancellationRequested)
        {
            Fail(ChunkErrorCode.Timeout, 1, $"{Next} did not accept the pipeline within {_service.Options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch (OperationCanceledException)
        {
            Fail(ChunkErrorCode.Unreachable, 0, "The upstream connection closed during setup.");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            Fail(ChunkErrorCode.Unreachable, 1, $"Cannot reach {Next}: {e.Message}");
        }
        return false;
    }

    /// <summary>Records the first failure and stops every loop.</summary>
    private void Fail(ChunkErrorCode code, int hops, string message)
    {
        if (Interlocked.CompareExchange(ref _failure, new ErrorMessage(code, Math.Min(hops, byte.MaxValue), message), null) is null)
        {
            Log.PipelineFailed(_service.Logger, _request.Id, _request.Version, code, hops, message);
        }
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReleaseWriterAsync()
    {
        if (_writer is null || _entry is null)
        {
            return;
        }
        if (_localCommit.Task.IsCompletedSuccessfully)
        {
            _service.PendingWrites.Remove(_entry);
            await _writer.DisposeAsync();
        }
        else
        {
            _service.PendingWrites.Park(_entry);
        }
    }

    /// <summary>Tells the upstream why the pipeline stopped, then lets it read that before the connection closes.</summary>
    private async Task ReportFailureUpstreamAsync()
    {
        var failure = _failure ?? new ErrorMessage(ChunkErrorCode.Internal, 0, "The pipeline stopped for an unknown reason.");
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _upstream.WriteLock.WaitAsync(grace.Token);
            try
            {
                ChunkWire.Send(_upstream, _requestId, failure);
                await _upstream.FlushAsync(grace.Token);
            }
            finally
            {
                _upstream.WriteLock.Release();
            }
            // Closing with unread input would reset the connection and could destroy the error frame in
            // flight, so drain until the upstream hangs up (it does on reading the error) or the grace ends.
            while (await _upstream.ReadAsync(grace.Token) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task<bool> SendUpstreamAsync<T>(T message)
        where T : IChunkMessage<T>
    {
        try
        {
            await _upstream.WriteLock.WaitAsync(_cts.Token);
            try
            {
                ChunkWire.Send(_upstream, _requestId, message);
                await _upstream.FlushAsync(_cts.Token);
            }
            finally
            {
                _upstream.WriteLock.Release();
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException e)
        {
            Fail(ChunkErrorCode.Unreachable, 0, $"The upstream connection broke: {e.Message}");
            return false;
        }
    }

    /// <summary>Acknowledges upstream the highest offset durable here and below, if it advanced.</summary>
    private async ValueTask MaybeAckAsync()
    {
        var target = Math.Min(Volatile.Read(ref _localDurable), Volatile.Read(ref _downstreamAcked));
        if (target <= Volatile.Read(ref _lastAckSent))
        {
            return;
        }
        try
        {
            await _upstream.WriteLock.WaitAsync(_cts.Token);
            try
            {
                target = Math.Min(Volatile.Read(ref _localDurable), Volatile.Read(ref _downstreamAcked));
                if (target <= _lastAckSent)
                {
                    return;
                }
                ChunkWire.Send(_upstream, _requestId, new AckMessage(target));
                await _upstream.FlushAsync(_cts.Token);
                Volatile.Write(ref _lastAckSent, target);
            }
            finally
            {
                _upstream.WriteLock.Release();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            Fail(ChunkErrorCode.Unreachable, 0, $"The upstream connection broke: {e.Message}");
        }
    }

    /// <summary>A packet waiting for the disk loop (its bytes in a pooled buffer, with their verified CRC-32C), or the commit that ends the write.</summary>
    private readonly record struct DiskItem(byte[]? Buffer, int Length, uint Crc, long End, CommitRequest? Commit)
    {
        public void Release()
        {
            if (Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}
