using Dfs.Client.ChunkServers;
using Dfs.Common.Framing;
using Dfs.Common.Wire;

namespace Dfs.Raft.ChunkServers;

/// <summary>Serves one chunk server's heartbeat connection to this master: each heartbeat is taken in and answered in turn.</summary>
public static class HeartbeatConnectionServer
{
    /// <exception cref="FramingException">Garbage on the wire (a frame of another protocol, or a heartbeat that does not decode); the caller closes the connection.</exception>
    public static async Task ServeAsync(FrameConnection frames, ChunkServerDirectory directory, CancellationToken cancellationToken)
    {
        while (await frames.ReadAsync(cancellationToken) is { } frame)
        {
            if (frame.Type != HeartbeatProtocol.RequestFrame)
            {
                throw new FramingException($"Unexpected frame type 0x{frame.Type:x4} on a heartbeat connection.");
            }
            HeartbeatRequest request;
            try
            {
                request = HeartbeatProtocol.ReadRequest(frame.Payload);
            }
            catch (WireFormatException e)
            {
                throw new FramingException($"A heartbeat does not decode: {e.Message}");
            }
            var reply = directory.OnHeartbeat(request);
            var writer = frames.BeginFrame(HeartbeatProtocol.ReplyFrame, frame.RequestId);
            HeartbeatProtocol.Write(writer, reply);
            frames.EndFrame();
            await frames.FlushAsync(cancellationToken);
        }
    }
}
