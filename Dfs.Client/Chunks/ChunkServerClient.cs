using System.Net.Sockets;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;

namespace Dfs.Client.Chunks;

/// <summary>Single requests to one chunk server: status of a chunk, copy from a peer, delete, report.</summary>
/// <remarks>One connection, opened on first use and reopened after a failure; requests are serialized. Thread-safe.</remarks>
public sealed class ChunkServerClient(ChunkEndpoint endpoint, TimeSpan? timeout = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);
    private FrameConnection? _connection;
    private ulong _nextRequestId;

    public ChunkEndpoint Endpoint { get; } = endpoint;

    /// <summary>What the server holds of <paramref name="id"/>; an interrupted write there is stopped and made durable first.</summary>
    public Task<StatusReply> GetStatusAsync(ChunkId id, CancellationToken cancellationToken) =>
        RequestAsync(new StatusRequest(id), static (frame, peer) => ChunkWire.Expect<StatusReply>(frame, peer), cancellationToken);

    /// <summary>Has the server fetch a committed replica of <paramref name="id"/> (version at least <paramref name="version"/>) from <paramref name="source"/>.</summary>
    public Task<ChunkInfo> CopyFromAsync(ChunkId id, long version, ChunkEndpoint source, CancellationToken cancellationToken) =>
        RequestAsync(new CopyFromRequest(id, version, source), static (frame, peer) => ChunkWire.Expect<ChunkInfoMessage>(frame, peer).Info, cancellationToken);

    /// <summary>Deletes replicas; returns how many were held.</summary>
    public Task<int> DeleteAsync(IReadOnlyList<ChunkId> ids, CancellationToken cancellationToken) =>
        RequestAsync(new DeleteRequest(ids), static (frame, peer) => ChunkWire.Expect<DeleteReply>(frame, peer).Deleted, cancellationToken);

    /// <summary>Every committed replica the server holds, and its space.</summary>
    public async Task<ReportPage> GetReportAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            var connection = await ConnectedAsync(timeout.Token);
            try
            {
                var requestId = ++_nextRequestId;
                ChunkWire.SendEmpty(connection, ChunkFrameType.Report, requestId);
                await connection.FlushAsync(timeout.Token);
                var chunks = new List<ChunkInfo>();
                while (true)
                {
                    var read = await connection.ReadAsync(timeout.Token);
                    var page = ChunkWire.Expect<ReportPage>(read, Endpoint.ToString());
                    chunks.AddRange(page.Chunks);
                    if ((read!.Value.Header.Flags & (ushort)ChunkFrameFlags.Last) != 0)
                    {
                        return page with { Chunks = chunks };
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                await DropConnectionAsync();
                throw Translate(e, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<TReply> RequestAsync<TRequest, TReply>(TRequest request, Func<Frame?, string, TReply> parse, CancellationToken cancellationToken)
        where TRequest : IChunkMessage<TRequest>
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            try
            {
                var connection = await ConnectedAsync(timeout.Token);
                ChunkWire.Send(connection, ++_nextRequestId, request);
                await connection.FlushAsync(timeout.Token);
                return parse(await connection.ReadAsync(timeout.Token), Endpoint.ToString());
            }
            catch (ChunkServerException e) when (e.Code is not (ChunkErrorCode.Unreachable or ChunkErrorCode.Protocol))
            {
                throw;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                await DropConnectionAsync();
                throw Translate(e, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private Exception Translate(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => e,
        OperationCanceledException => new ChunkServerException(ChunkErrorCode.Timeout, $"Chunk server {Endpoint} did not answer within {_timeout.TotalSeconds:0.#} s."),
        ChunkServerException => e,
        _ => new ChunkServerException(ChunkErrorCode.Unreachable, $"Chunk server {Endpoint} is unreachable: {e.Message}"),
    };

    private async ValueTask<FrameConnection> ConnectedAsync(CancellationToken cancellationToken) =>
        _connection ??= await FrameConnection.ConnectAsync(Endpoint.Host, Endpoint.Port, cancellationToken);

    private async ValueTask DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeQuietlyAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync();
        _gate.Dispose();
    }
}
