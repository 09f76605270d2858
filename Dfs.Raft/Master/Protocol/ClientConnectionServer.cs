using Dfs.Client.Master.Protocol;
using Dfs.Common.Framing;

namespace Dfs.Raft.Master.Protocol;

/// <summary>
/// Serves one client connection of the internal protocol: requests are handled concurrently and each
/// response goes back with its request's id as soon as it is ready.
/// </summary>
public static class ClientConnectionServer
{
    /// <summary>Requests one connection may have in progress at once; further frames wait to be read (back-pressure).</summary>
    public const int MaxConcurrentRequests = 1024;

    /// <exception cref="FramingException">Garbage on the wire; the caller closes the connection.</exception>
    public static async Task ServeAsync(FrameConnection frames, MasterRequestHandler handler, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(MaxConcurrentRequests, MaxConcurrentRequests);
        var inFlight = new List<Task>();
        try
        {
            while (await frames.ReadAsync(cancellationToken) is { } frame)
            {
                if (frame.Type != MasterProtocol.RequestFrame)
                {
                    throw new FramingException($"Unexpected frame type 0x{frame.Type:x4} on a client connection.");
                }
                var requestId = frame.RequestId;
                MasterRequest? request = null;
                MasterError? invalid = null;
                try
                {
                    request = MasterProtocol.ReadRequest(frame.Payload);
                }
                catch (InvalidDataException e)
                {
                    invalid = MasterErrors.From(e);
                }
                await slots.WaitAsync(cancellationToken);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        var response = request is null
                            ? MasterResponse.Failed(invalid!)
                            : await handler.HandleAsync(request, cancellationToken);
                        await RespondAsync(frames, requestId, response, cancellationToken);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The connection is going away; the client retries elsewhere.
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        finally
        {
            await Task.WhenAll(inFlight);
        }
    }

    private static async Task RespondAsync(FrameConnection frames, ulong requestId, MasterResponse response, CancellationToken cancellationToken)
    {
        await frames.WriteLock.WaitAsync(cancellationToken);
        try
        {
            var writer = frames.BeginFrame(MasterProtocol.ResponseFrame, requestId);
            MasterProtocol.WriteResponse(writer, response);
            frames.EndFrame();
            await frames.FlushAsync(cancellationToken);
        }
        finally
        {
            frames.WriteLock.Release();
        }
    }
}
