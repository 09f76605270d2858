using System.Collections.Concurrent;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Framing;

namespace Dfs.Client.Master;

/// <summary>
/// One client connection to one master, carrying many requests at once (matched by request id). Any
/// connection failure fails every request in flight on it; the caller retries elsewhere.
/// </summary>
/// <remarks>
/// <see cref="DisposeAsync"/> stops the read loop and waits for it before it closes the pipe: the pipe reader does
/// not allow completing it while a read is in flight, so closing first lets that read fail in ways the loop cannot
/// tell from a bug. Dispose never throws; requests in flight fail with <see cref="IOException"/>.
/// </remarks>
internal sealed class MasterConnection : IAsyncDisposable
{
    private readonly FrameConnection _frames;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<MasterResponse>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reader;
    private long _nextRequestId;
    private int _broken;
    private int _disposed;

    private MasterConnection(FrameConnection frames)
    {
        _frames = frames;
        _reader = Task.Run(ReadLoopAsync);
    }

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    public static async Task<MasterConnection> OpenAsync(string host, int port, CancellationToken cancellationToken) =>
        new(await FrameConnection.ConnectAsync(host, port, cancellationToken));

    /// <exception cref="IOException">The connection failed or closed before the answer came.</exception>
    public async Task<MasterResponse> SendAsync(MasterRequestKind kind, Guid clientId, long sequence, long lowestUnanswered,
        ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _nextRequestId);
        var completion = new TaskCompletionSource<MasterResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            // The read loop marks the connection broken before it fails what is pending: a request added after
            // that sees the mark here instead of waiting for an answer that cannot come.
            if (IsBroken)
            {
                throw new IOException("The connection to the master closed.");
            }
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            await _frames.WriteLock.WaitAsync(sending.Token);
            try
            {
                var writer = _frames.BeginFrame(MasterProtocol.RequestFrame, id);
                MasterProtocol.WriteRequest(writer, kind, clientId, sequence, lowestUnanswered, command.Span);
                _frames.EndFrame();
                await _frames.FlushAsync(sending.Token);
            }
            finally
            {
                _frames.WriteLock.Release();
            }
            return await completion.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MarkBroken();
            throw new IOException("The connection to the master closed while the request was being sent.");
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            MarkBroken();
            throw new IOException($"The connection to the master failed: {e.Message}", e);
        }
        catch (IOException)
        {
            MarkBroken();
            throw;
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
        catch (Exception)
        {
            // Whatever ends the loop (the peer, garbage, a dispose) breaks the connection; the requests in flight
            // learn it below and the caller retries elsewhere, so nothing is rethrown to DisposeAsync.
        }
        finally
        {
            MarkBroken();
            foreach (var completion in _pending.Values)
            {
                completion.TrySetException(new IOException("The connection to the master closed."));
            }
        }
    }

    // A full fence: the mark is visible before the read loop looks at what is pending, and before a sender looks at the mark.
    private void MarkBroken() => Interlocked.Exchange(ref _broken, 1);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        MarkBroken();
        await _closing.CancelAsync();
        await _reader;
        // Senders leave the lock promptly once _closing is cancelled; holding it keeps a frame from being
        // written while the pipe writer completes.
        await _frames.WriteLock.WaitAsync();
        await _frames.DisposeAsync();
        _closing.Dispose();
    }
}
