using System.Buffers.Binary;
using System.Net;
using Dfs.ChunkServer.Pipeline;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Common.Hashing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace Dfs.ChunkServer.Server;

/// <summary>
/// Serves the chunk protocol on one TCP connection at a time: a loop that reads a request frame and runs
/// it (a write pipeline, a read, or a single request) until the peer hangs up.
/// </summary>
/// <remarks>
/// Garbage on the wire gets an Error frame if the connection still allows one and closes that connection
/// only; a store error (stale, not found, disk full…) is answered and the connection stays usable.
/// </remarks>
internal sealed class ChunkConnectionHandler(ChunkService service, ReplicaCopier copier, IHostApplicationLifetime lifetime) : ConnectionHandler
{
    private const int ReadPacketBytes = ChunkWire.MaxPacketBytes;

    /// <summary>Read packets buffered before a flush: within Kestrel's response buffer, and few sends per chunk.</summary>
    private const int ReadFlushBytes = 256 * 1024;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifetime.ApplicationStopping);
        var closed = linked.Token;
        var frames = new FrameConnection(connection.Transport);
        try
        {
            await ServeAsync(frames, connection.ConnectionId, IsSameMachine(connection.RemoteEndPoint), closed);
        }
        finally
        {
            await frames.DisposeQuietlyAsync();
        }
    }

    /// <summary>A loopback peer runs on this machine and can open the files a local read names.</summary>
    private static bool IsSameMachine(EndPoint? remote) => remote is IPEndPoint { Address: var address } && IPAddress.IsLoopback(address);

    private async Task ServeAsync(FrameConnection frames, string connectionId, bool sameMachine, CancellationToken closed)
    {
        try
        {
            while (await frames.ReadAsync(closed) is { } frame)
            {
                if (!await DispatchAsync(frames, frame, sameMachine, closed))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is FramingException or ChunkProtocolException)
        {
            Log.BadFrames(service.Logger, connectionId, e.Message);
            await TrySendErrorAsync(frames, 0, ChunkErrorCode.Protocol, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The peer went away: nothing to answer.
        }
        catch (Exception e)
        {
            Log.ConnectionFailed(service.Logger, connectionId, e);
            await TrySendErrorAsync(frames, 0, ChunkErrorCode.Internal, $"The chunk server failed: {e.Message}");
        }
    }

    /// <returns>False when the connection must close.</returns>
    private async Task<bool> DispatchAsync(FrameConnection frames, Frame frame, bool sameMachine, CancellationToken closed)
    {
        // Transfers are counted for the load the heartbeats report.
        if ((ChunkFrameType)frame.Type is not (ChunkFrameType.WriteBlock or ChunkFrameType.Read or ChunkFrameType.CopyFrom))
        {
            return await DispatchRequestAsync(frames, frame, sameMachine, closed);
        }
        service.BeginTransfer();
        try
        {
            return await DispatchRequestAsync(frames, frame, sameMachine, closed);
        }
        finally
        {
            service.EndTransfer();
        }
    }

    private async Task<bool> DispatchRequestAsync(FrameConnection frames, Frame frame, bool sameMachine, CancellationToken closed)
    {
        var requestId = frame.RequestId;
        try
        {
            switch ((ChunkFrameType)frame.Type)
            {
                case ChunkFrameType.WriteBlock:
                    var request = ChunkWire.Parse<WriteBlockRequest>(frame);
                    var session = new PipelineSession(service, frames, requestId, request, closed);
                    return await session.RunAsync();
                case ChunkFrameType.Read:
                    await ServeReadAsync(frames, requestId, ChunkWire.Parse<ReadRequest>(frame), closed);
                    return true;
                case ChunkFrameType.OpenLocal:
                    ChunkWire.Send(frames, requestId, DescribeLocal(ChunkWire.Parse<OpenLocalRequest>(frame), sameMachine));
                    break;
                case ChunkFrameType.Status:
                    var status = await GetStatusAsync(ChunkWire.Parse<StatusRequest>(frame).Id, closed);
                    ChunkWire.Send(frames, requestId, status);
                    break;
                case ChunkFrameType.CopyFrom:
                    var info = await copier.CopyAsync(ChunkWire.Parse<CopyFromRequest>(frame), closed);
                    ChunkWire.Send(frames, requestId, new ChunkInfoMessage(info));
                    break;
                case ChunkFrameType.Delete:
                    ChunkWire.Send(frames, requestId, await DeleteAsync(ChunkWire.Parse<DeleteRequest>(frame), closed));
                    break;
                case ChunkFrameType.Report:
                    SendReport(frames, requestId);
                    break;
                default:
                    throw new ChunkProtocolException($"Frame type {frame.Type} is not a request this chunk server serves.");
            }
        }
        catch (ChunkStoreException e)
        {
            ChunkWire.Send(frames, requestId, new ErrorMessage(ChunkErrorCodes.From(e.Error), 0, e.Message));
        }
        catch (ChunkServerException e)
        {
            // A peer this request needed (the source of a copy) failed, or a local read was refused.
            ChunkWire.Send(frames, requestId, new ErrorMessage(e.Code, 0, e.Message));
        }
        await frames.FlushAsync(closed);
        return true;
    }

    private async Task ServeReadAsync(FrameConnection frames, ulong requestId, ReadRequest request, CancellationToken closed)
    {
        var store = service.Store;
        IChunkReader reader;
        try
        {
            var length = request.Length;
            if (length < 0)
            {
                var held = store.TryGet(request.Id) ?? throw new ChunkStoreException(ChunkError.NotFound, $"Chunk {request.Id} is not held here.");
                length = Math.Max(0, held.Length - request.Offset);
            }
            reader = store.OpenRead(request.Id, request.MinimumVersion, request.Offset, length);
        }
        catch (ChunkStoreException e)
        {
            Log.ReadRefused(service.Logger, request.Id, ChunkErrorCodes.From(e.Error), e.Message);
            ChunkWire.Send(frames, requestId, new ErrorMessage(ChunkErrorCodes.From(e.Error), 0, e.Message));
            await frames.FlushAsync(closed);
            return;
        }

        await using (reader)
        {
            ChunkWire.Send(frames, requestId, new ChunkInfoMessage(reader.Chunk), frameType: ChunkFrameType.ReadHeader);
            var position = request.Offset;
            var unflushed = 0;
            ChunkStoreException? failure = null;
            while (reader.Remaining > 0 && failure is null)
            {
                // Verified bytes go from the store straight into the connection's output buffer, one block
                // per packet, and the block's verified CRC-32C is the packet's.
                var frame = frames.BeginFrame((ushort)ChunkFrameType.Data, requestId);
                var packet = frame.GetMemory(ChunkWire.DataHeaderBytes + ReadPacketBytes)[..(ChunkWire.DataHeaderBytes + ReadPacketBytes)];
                VerifiedRead read;
                try
                {
                    read = await reader.ReadVerifiedAsync(packet[ChunkWire.DataHeaderBytes..], closed);
                }
                catch (ChunkStoreException e)
                {
                    // Nothing of a failing block was returned: an empty packet, then the error.
                    failure = e;
                    read = new VerifiedRead(0, Crc32C.Compute([]));
                }
                BinaryPrimitives.WriteInt64LittleEndian(packet.Span, position);
                BinaryPrimitives.WriteUInt32LittleEndian(packet.Span[8..], read.Crc);
                frame.Advance(ChunkWire.DataHeaderBytes + read.Count);
                frames.EndFrame();
                position += read.Count;
                unflushed += ChunkWire.DataHeaderBytes + read.Count;
                if (unflushed >= ReadFlushBytes)
                {
                    // Several packets per send: a flush per packet would cost a syscall and a wake-up each.
                    await frames.FlushAsync(closed);
                    unflushed = 0;
                }
                if (read.Count == 0)
                {
                    break;
                }
            }
            if (failure is not null)
            {
                Log.ReadRefused(service.Logger, request.Id, ChunkErrorCodes.From(failure.Error), failure.Message);
                ChunkWire.Send(frames, requestId, new ErrorMessage(ChunkErrorCodes.From(failure.Error), 0, failure.Message));
            }
            else
            {
                ChunkWire.SendEmpty(frames, ChunkFrameType.ReadEnd, requestId);
            }
            await frames.FlushAsync(closed);
        }
    }

    /// <exception cref="ChunkServerException">LocalReadRefused: the caller is to read over the connection.</exception>
    private LocalReplicaMessage DescribeLocal(OpenLocalRequest request, bool sameMachine)
    {
        var refusal = !service.Options.ShortCircuitLocalReads ? "this chunk server does not grant short-circuit local reads"
            : !sameMachine ? "short-circuit local reads are granted only to readers on the chunk server's own machine"
            : service.Store is not ILocalReplicaSource ? "this chunk server's store does not keep replicas as files"
            : null;
        if (refusal is not null)
        {
            throw new ChunkServerException(ChunkErrorCode.LocalReadRefused, $"Chunk {request.Id}: {refusal}; read it over the connection.");
        }
        return new LocalReplicaMessage(((ILocalReplicaSource)service.Store).DescribeLocal(request.Id, request.MinimumVersion));
    }

    private async Task<StatusReply> GetStatusAsync(ChunkId id, CancellationToken closed)
    {
        var pending = service.PendingWrites;
        var writer = await pending.TakeAsync(id, closed);
        if (writer is not null)
        {
            try
            {
                await writer.FlushAsync(closed);
                var reply = new StatusReply(ChunkState.Pending, writer.Version, writer.Length, 0);
                pending.Register(writer, null);
                return reply;
            }
            catch (Exception e) when (e is ChunkStoreException or ObjectDisposedException)
            {
                // The write was superseded or failed: it no longer counts.
                await writer.DisposeAsync();
            }
        }
        return service.Store.TryGet(id) is { } info
            ? new StatusReply(ChunkState.Committed, info.Version, info.Length, info.Checksum)
            : new StatusReply(ChunkState.Absent, 0, 0, 0);
    }

    private async Task<DeleteReply> DeleteAsync(DeleteRequest request, CancellationToken closed)
    {
        var deleted = 0;
        foreach (var id in request.Ids)
        {
            var writer = await service.PendingWrites.TakeAsync(id, closed);
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
            if (service.Store.TryGet(id) is not null)
            {
                deleted++;
            }
            service.Store.Delete(id);
        }
        return new DeleteReply(deleted);
    }

    private void SendReport(FrameConnection frames, ulong requestId)
    {
        var usage = service.Store.GetUsage();
        var chunks = service.Store.List();
        var page = 0;
        do
        {
            var slice = chunks.Skip(page * ReportPage.MaxChunksPerPage).Take(ReportPage.MaxChunksPerPage).ToArray();
            page++;
            var last = page * ReportPage.MaxChunksPerPage >= chunks.Count;
            ChunkWire.Send(frames, requestId, new ReportPage(usage, slice), last ? ChunkFrameFlags.Last : ChunkFrameFlags.None);
        }
        while (page * ReportPage.MaxChunksPerPage < chunks.Count);
    }

    private static async Task TrySendErrorAsync(FrameConnection frames, ulong requestId, ChunkErrorCode code, string message)
    {
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            ChunkWire.Send(frames, requestId, new ErrorMessage(code, 0, message));
            await frames.FlushAsync(grace.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }
}
