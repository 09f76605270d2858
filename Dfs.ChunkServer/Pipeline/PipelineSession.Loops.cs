using System.Buffers;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;

namespace Dfs.ChunkServer.Pipeline;

internal sealed partial class PipelineSession
{
    /// <summary>Forwarded bytes a node may hold back while more packets are already waiting to be forwarded.</summary>
    private const int MaxUnflushedForwardBytes = 512 * 1024;

    /// <summary>Bytes forwarded downstream since the last flush (upstream loop only).</summary>
    private long _unflushedForward;

    /// <summary>Reads packets from upstream, forwards each downstream before queueing it for the local disk.</summary>
    private async Task<bool> UpstreamLoopAsync()
    {
        var token = _cts.Token;
        try
        {
            while (true)
            {
                var read = await _upstream.ReadAsync(token);
                Volatile.Write(ref _lastUpstreamActivity, _service.Time.GetTimestamp());
                if (read is not { } frame)
                {
                    Fail(ChunkErrorCode.Unreachable, 0, $"The upstream closed the connection before committing chunk {_request.Id}.");
                    return false;
                }
                switch ((ChunkFrameType)frame.Type)
                {
                    case ChunkFrameType.Data:
                        if (!await OnDataAsync(frame, token))
                        {
                            return false;
                        }
                        break;
                    case ChunkFrameType.Commit:
                        return await OnCommitAsync(frame, token);
                    default:
                        Fail(ChunkErrorCode.Protocol, 0, $"Frame type {frame.Type} is not allowed inside a write pipeline.");
                        return false;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is ChunkProtocolException or FramingException)
        {
            Fail(ChunkErrorCode.Protocol, 0, e.Message);
            return false;
        }
        catch (IOException e)
        {
            Fail(ChunkErrorCode.Unreachable, 0, $"The upstream connection broke: {e.Message}");
            return false;
        }
    }

    private async ValueTask<bool> OnDataAsync(Frame frame, CancellationToken token)
    {
        if (!ChunkWire.TryParseData(frame, out var offset, out var crc, out var data))
        {
            Fail(ChunkErrorCode.Corrupt, 0, $"The packet at offset {offset} of chunk {_request.Id} failed its CRC-32C check on arrival.");
            return false;
        }
        if (offset != _received)
        {
            Fail(ChunkErrorCode.Protocol, 0, $"A packet of chunk {_request.Id} starts at offset {offset}; the next expected offset is {_received}.");
            return false;
        }
        var length = (int)data.Length;

        // Forward first: the next node starts on this packet while the local copy is written (GFS §3.2).
        if (_downstream is not null)
        {
            if (Volatile.Read(ref _downstreamAcked) >= _received)
            {
                Volatile.Write(ref _lastDownstreamProgress, _service.Time.GetTimestamp());
            }
            // Within a burst of packets already received, one send carries several: fewer system calls here
            // and fewer wake-ups downstream.
            _unflushedForward += frame.Payload.Length;
            var flush = !_upstream.HasBufferedFrame || _unflushedForward >= MaxUnflushedForwardBytes;
            if (!await ForwardAsync(frame, flush, token))
            {
                return false;
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        data.CopyTo(buffer);
        _received += length;
        try
        {
            var item = new DiskItem(buffer, length, crc, _received, null);
            if (!_disk.Writer.TryWrite(item))
            {
                // The local disk is behind: send what was held back before waiting for it.
                if (_unflushedForward > 0 && !await FlushForwardedAsync(token))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return false;
                }
                await _disk.Writer.WriteAsync(item, token);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return true;
    }

    private async ValueTask<bool> FlushForwardedAsync(CancellationToken token)
    {
        try
        {
            await _downstream!.FlushAsync(token);
            _unflushedForward = 0;
            return true;
        }
        catch (IOException e)
        {
            Fail(ChunkErrorCode.Unreachable, 1, $"The connection to {Next} broke: {e.Message}");
            return false;
        }
    }

    private async ValueTask<bool> ForwardAsync(Frame frame, bool flush, CancellationToken token)
    {
        ChunkWire.Forward(_downstream!, frame);
        return !flush || await FlushForwardedAsync(token);
    }

    private async Task<bool> OnCommitAsync(Frame frame, CancellationToken token)
    {
        var commit = ChunkWire.Parse<CommitRequest>(frame);
        if (commit.Length != _received)
        {
            Fail(ChunkErrorCode.BadRange, 0, $"Commit of chunk {_request.Id} names {commit.Length} bytes; {_received} were received.");
            return false;
        }
        if (_downstream is not null && !await ForwardAsync(frame, flush: true, token))
        {
            return false;
        }
        await _disk.Writer.WriteAsync(new DiskItem(null, 0, 0, _received, commit), token);
        _disk.Writer.TryComplete();
        var info = await _localCommit.Task.WaitAsync(token);
        if (_downstream is not null)
        {
            await _downstreamCommit.Task.WaitAsync(token);
        }
        if (!await SendUpstreamAsync(new ChunkInfoMessage(info)))
        {
            return false;
        }
        Log.Committed(_service.Logger, info.Id, info.Version, info.Length);
        return true;
    }

    /// <summary>Writes queued packets to the local replica, fsyncing in batches, and acknowledges what is durable.</summary>
    private async Task DiskLoopAsync()
    {
        var writer = _writer!;
        var reader = _disk.Reader;
        var options = _service.Options;
        var sinceFlush = 0;
        var written = _request.Offset;
        Task<bool>? nextItem = null;
        var batch = new List<DiskItem>(options.PacketsPerFsync);
        var packets = new List<ReadOnlyMemory<byte>>(options.PacketsPerFsync);
        var crcs = new List<uint>(options.PacketsPerFsync);
        try
        {
            while (true)
            {
                while (!_cts.IsCancellationRequested && reader.TryRead(out var item))
                {
                    if (item.Commit is { } commit)
                    {
                        await CommitLocallyAsync(writer, commit);
                        return;
                    }
                    // Whatever else is already queued goes into the same write, up to the fsync interval.
                    batch.Add(item);
                    while (batch.Count < options.PacketsPerFsync - sinceFlush && reader.TryPeek(out var next) && next.Commit is null && reader.TryRead(out next))
                    {
                        batch.Add(next);
                    }
                    try
                    {
                        packets.Clear();
                        crcs.Clear();
                        foreach (var queued in batch)
                        {
                            packets.Add(queued.Buffer.AsMemory(0, queued.Length));
                            crcs.Add(queued.Crc);
                        }
                        // Store calls are not cancelled half-way: a torn local write would be worse than a late stop.
                        // The packets' CRCs were checked on arrival: the store need not compute them again.
                        await writer.WriteAsync(packets, crcs, CancellationToken.None);
                    }
                    finally
                    {
                        foreach (var queued in batch)
                        {
                            queued.Release();
                        }
                        packets.Clear();
                    }
                    written = batch[^1].End;
                    sinceFlush += batch.Count;
                    batch.Clear();
                    if (sinceFlush >= options.PacketsPerFsync)
                    {
                        await FlushLocallyAsync(writer, written);
                        sinceFlush = 0;
                    }
                }
                _cts.Token.ThrowIfCancellationRequested();
                nextItem ??= reader.WaitToReadAsync(_cts.Token).AsTask();
                if (sinceFlush > 0)
                {
                    // The queue ran dry. A packet usually follows within moments on a busy pipeline: give it a
                    // short grace so one fsync covers several packets, then make what arrived durable.
                    if (!nextItem.IsCompleted && options.IdleFlushDelay > TimeSpan.Zero)
                    {
                        await Task.WhenAny(nextItem, Task.Delay(options.IdleFlushDelay, _service.Time, _cts.Token));
                    }
                    if (!nextItem.IsCompleted || sinceFlush >= options.PacketsPerFsync)
                    {
                        await FlushLocallyAsync(writer, written);
                        sinceFlush = 0;
                    }
                }
                if (!await nextItem)
                {
                    return;
                }
                nextItem = null;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChunkStoreException e)
        {
            Fail(ChunkErrorCodes.From(e.Error), 0, e.Message);
        }
        catch (Exception e)
        {
            Fail(ChunkErrorCode.Internal, 0, $"Writing chunk {_request.Id} locally failed: {e.Message}");
        }
        finally
        {
            _localCommit.TrySetCanceled();
        }
    }

    private async ValueTask FlushLocallyAsync(IChunkWriter writer, long written)
    {
        await writer.FlushAsync(CancellationToken.None);
        Volatile.Write(ref _localDurable, written);
        await MaybeAckAsync();
    }

    private async Task CommitLocallyAsync(IChunkWriter writer, CommitRequest commit)
    {
        if (writer.Length != commit.Length)
        {
            Fail(ChunkErrorCode.BadRange, 0, $"Chunk {_request.Id} holds {writer.Length} bytes here; the commit names {commit.Length}.");
            return;
        }
        await writer.FlushAsync(CancellationToken.None);
        if (_downstream is not null)
        {
            // Replicas commit from the tail up: while anything below has not committed, this replica stays
            // pending, so a recovery can still resume it under a new version with the others.
            await _downstreamCommit.Task.WaitAsync(_cts.Token);
        }
        var info = await writer.CommitAsync(CancellationToken.None);
        if (info.Checksum != commit.Checksum)
        {
            // The bytes here are not the writer's: never keep them as a readable replica.
            _service.Store.Delete(_request.Id);
            Fail(ChunkErrorCode.Corrupt, 0, $"Chunk {_request.Id} has CRC-32C {info.Checksum:x8} here; the writer sent {commit.Checksum:x8}.");
            return;
        }
        _localCommit.TrySetResult(info);
    }

    /// <summary>Reads acks, the commit answer and errors from the next node.</summary>
    private async Task DownstreamLoopAsync()
    {
        var downstream = _downstream!;
        try
        {
            while (true)
            {
                var read = await downstream.ReadAsync(_cts.Token);
                if (read is not { } frame)
                {
                    Fail(ChunkErrorCode.Unreachable, 1, $"{Next} closed the pipeline connection.");
                    return;
                }
                Volatile.Write(ref _lastDownstreamProgress, _service.Time.GetTimestamp());
                switch ((ChunkFrameType)frame.Type)
                {
                    case ChunkFrameType.Ack:
                        var ack = ChunkWire.Parse<AckMessage>(frame);
                        if (ack.Offset > Volatile.Read(ref _downstreamAcked))
                        {
                            Volatile.Write(ref _downstreamAcked, ack.Offset);
                            await MaybeAckAsync();
                        }
                        break;
                    case ChunkFrameType.Committed:
                        _downstreamCommit.TrySetResult(ChunkWire.Parse<ChunkInfoMessage>(frame).Info);
                        return;
                    case ChunkFrameType.Error:
                        var error = ChunkWire.Parse<ErrorMessage>(frame);
                        Fail(error.Code, error.Hops + 1, error.Message);
                        return;
                    default:
                        Fail(ChunkErrorCode.Protocol, 1, $"{Next} sent frame type {frame.Type} inside a write pipeline.");
                        return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is ChunkProtocolException or FramingException)
        {
            Fail(ChunkErrorCode.Protocol, 1, $"{Next} broke the protocol: {e.Message}");
        }
        catch (IOException e)
        {
            Fail(ChunkErrorCode.Unreachable, 1, $"The connection to {Next} broke: {e.Message}");
        }
        finally
        {
            _downstreamCommit.TrySetCanceled();
        }
    }

    /// <summary>Fails the pipeline when the downstream stops acknowledging outstanding data, or the upstream goes silent.</summary>
    private async Task WatchdogAsync()
    {
        var options = _service.Options;
        var time = _service.Time;
        var period = TimeSpan.FromTicks(Math.Clamp(Math.Min(options.AckTimeout.Ticks, options.IdleTimeout.Ticks) / 4,
            TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token))
            {
                if (_downstream is not null && Volatile.Read(ref _downstreamAcked) < _received &&
                    time.GetElapsedTime(Volatile.Read(ref _lastDownstreamProgress)) > options.AckTimeout)
                {
                    Fail(ChunkErrorCode.Timeout, 1, $"{Next} acknowledged nothing for {options.AckTimeout.TotalSeconds:0.#} s with data outstanding.");
                    return;
                }
                if (time.GetElapsedTime(Volatile.Read(ref _lastUpstreamActivity)) > options.IdleTimeout)
                {
                    Fail(ChunkErrorCode.Timeout, 0, $"The upstream sent nothing for {options.IdleTimeout.TotalSeconds:0.#} s in the middle of writing chunk {_request.Id}.");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
