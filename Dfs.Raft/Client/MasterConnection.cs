using System.Collections.Concurrent;
using Dfs.Common.Framing;

namespace Dfs.Raft.Client;

/// <summary>
/// One client connection to one master, carrying many requests at once (matched by request id). Any
/// connection failure fails every request in flight on it; the caller retries elsewhere.
/// </summary>
internal sealed class MasterConnection : IAsyncDisposable
{
    private readonly FrameConnection _frames;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<MasterResponse>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reader;
    private long _nextRequestId;
    private volatile bool _broken;

    private MasterConnection(FrameConnection frames)
    {
        _frames = frames;
        _reader = Task.Run(ReadLoopAsync);
    }

    public bool IsBroken => _broken;

    public static async Task<MasterConnection> OpenAsync(string host, int port, CancellationToken cancellationToken) =>
        new(await FrameConnection.ConnectAsync(host, port, cancellationToken));

    public async Task<MasterResponse> SendAsync(MasterRequestKind kind, Guid clientId, long sequence, long lowestUnanswered,
        ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _nextRequestId);
        var completion = new TaskCompletionSource<MasterResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            await _frames.WriteLock.WaitAsync(cancellationToken);
            try
            {
                var writer = _frames.BeginFrame(MasterProtocol.RequestFrame, id);
                MasterProtocol.WriteRequest(writer, kind, clientId, sequence, lowestUnanswered, command.Span);
                _frames.EndFrame();
                await _frames.FlushAsync(cancellationToken);
            }
            finally
            {
                _frames.WriteLock.Release();
            }
            return await completion.Task.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            _broken = true;
            throw new IOException($"The connection to the master failed: {e.Message}", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _frames.ReadAsync(_closing.Token) is { } frame)
            {
                if (frame.Type == MasterProtocol.ResponseFrame && _pending.TryRemove(frame.RequestId, out var completion))
                {
                    completion.TrySetResult(MasterProtocol.ReadResponse(frame.Payload));
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException)
        {
        }
        finally
        {
            _broken = true;
            foreach (var completion in _pending.Values)
            {
                completion.TrySetException(new IOException("The connection to the master closed."));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _broken = true;
        await _closing.CancelAsync();
        await _frames.DisposeAsync();
        await _reader;
        _closing.Dispose();
    }
}
