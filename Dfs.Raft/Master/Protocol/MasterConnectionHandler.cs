using System.Buffers;
using System.Buffers.Binary;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Framing;
using Dfs.Raft.ChunkServers;
using Dfs.Raft.Consensus.Transport;
using Microsoft.AspNetCore.Connections;

namespace Dfs.Raft.Master.Protocol;

/// <summary>
/// Serves a master's internal port: the first frame's type tells a Raft peer's connection from a
/// client's and from a chunk server's heartbeats, and the connection is handed to the matching protocol for its whole life.
/// </summary>
/// <remarks>
/// A master on DotNext's Raft (no <see cref="IRaftInboundSink"/> registered) serves clients only here; its peers talk to
/// DotNext's own listener, so a Raft frame on this port is closed.
/// </remarks>
public sealed partial class MasterConnectionHandler(MasterRequestHandler requests, IHostApplicationLifetime lifetime,
    ILoggerFactory loggers, ILogger<MasterConnectionHandler> logger, ChunkServerDirectory chunkServers, IRaftInboundSink? raftSink = null)
    : ConnectionHandler
{
    private readonly RaftConnectionHandler? _raft = raftSink is null ? null : new(raftSink, lifetime, loggers.CreateLogger<RaftConnectionHandler>());

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var type = await PeekFirstFrameTypeAsync(connection);
        if (type is null)
        {
            return;
        }
        if (HeartbeatProtocol.IsHeartbeatFrame(type.Value))
        {
            await ServeHeartbeatsAsync(connection);
            return;
        }
        if (!MasterProtocol.IsClientFrame(type.Value))
        {
            if (_raft is not null)
            {
                await _raft.OnConnectedAsync(connection);
            }
            return;
        }
        var frames = new FrameConnection(connection.Transport);
        try
        {
            await ClientConnectionServer.ServeAsync(frames, requests, connection.ConnectionClosed);
        }
        catch (FramingException e)
        {
            LogClientGarbage(logger, connection.RemoteEndPoint?.ToString(), e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
        finally
        {
            await frames.DisposeAsync();
        }
    }

    private async Task ServeHeartbeatsAsync(ConnectionContext connection)
    {
        var frames = new FrameConnection(connection.Transport);
        try
        {
            await HeartbeatConnectionServer.ServeAsync(frames, chunkServers, connection.ConnectionClosed);
        }
        catch (FramingException e)
        {
            LogClientGarbage(logger, connection.RemoteEndPoint?.ToString(), e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
        finally
        {
            await frames.DisposeAsync();
        }
    }

    /// <summary>Waits for the first frame header's type field without consuming anything.</summary>
    private static async Task<ushort?> PeekFirstFrameTypeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(connection.ConnectionClosed);
                var buffer = result.Buffer;
                if (buffer.Length >= 6)
                {
                    Span<byte> head = stackalloc byte[6];
                    buffer.Slice(0, 6).CopyTo(head);
                    input.AdvanceTo(buffer.Start);
                    return BinaryPrimitives.ReadUInt16LittleEndian(head[4..]);
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.End);
                    return null;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Closed a client connection from {Remote} that sent garbage: {Problem}")]
    private static partial void LogClientGarbage(ILogger logger, string? remote, string problem);
}
