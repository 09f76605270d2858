using Dfs.Common.Framing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>Reads Raft frames from an inbound Kestrel connection and hands the messages to the local transport.</summary>
/// <remarks>A connection that sends garbage is closed; the peer reconnects and Raft retries what was lost.</remarks>
public sealed class RaftConnectionHandler(IRaftInboundSink sink, IHostApplicationLifetime lifetime, ILogger<RaftConnectionHandler> logger)
    : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var frames = new FrameConnection(connection.Transport);
        // Peers never close their side, so the server's shutdown, not theirs, ends the connection.
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifetime.ApplicationStopping);
        SnapshotAssembly? assembly = null;
        ulong assemblyId = 0;
        try
        {
            while (true)
            {
                var read = await frames.ReadAsync(closing.Token);
                if (read is not { } frame)
                {
                    break;
                }
                switch (frame.Type)
                {
                    case RaftFrameType.InstallSnapshot:
                        {
                            assembly?.Dispose();
                            assembly = null;
                            var (header, length) = RaftMessageCodec.ReadSnapshotHeader(frame.Payload);
                            var next = new SnapshotAssembly(header, length, sink.SnapshotDirectory, sink.InMemorySnapshotLimit);
                            if (next.IsComplete)
                            {
                                sink.Deliver(next.Finish());
                                next.Dispose();
                            }
                            else
                            {
                                assembly = next;
                                assemblyId = frame.RequestId;
                            }
                            break;
                        }
                    case RaftFrameType.SnapshotChunk:
                        if (assembly is null || frame.RequestId != assemblyId)
                        {
                            throw new RaftCodecException($"Snapshot chunk for transfer {frame.RequestId} arrived without its header.");
                        }
                        assembly.Append(frame.Payload);
                        if (assembly.IsComplete)
                        {
                            var message = assembly.Finish();
                            assembly.Dispose();
                            assembly = null;
                            sink.Deliver(message);
                        }
                        break;
                    default:
                        sink.Deliver(RaftMessageCodec.Read(frame.Type, frame.Payload));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RaftCodecException e)
        {
            Log.InboundGarbage(logger, connection.RemoteEndPoint?.ToString(), e.Message);
        }
        catch (IOException e)
        {
            Log.InboundFailed(logger, connection.RemoteEndPoint?.ToString(), e.Message);
        }
        finally
        {
            assembly?.Dispose();
            await frames.DisposeAsync();
        }
    }
}
