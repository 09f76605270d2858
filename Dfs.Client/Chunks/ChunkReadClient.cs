using System.IO.Pipelines;
using System.Net.Sockets;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;

namespace Dfs.Client.Chunks;

/// <summary>
/// Reads a range of a chunk from a list of replicas, in the order given (put the nearest or least loaded
/// first), falling over to the next one on an error, a stale or corrupt replica or a broken connection,
/// and going on from the first byte not yet delivered.
/// </summary>
/// <remarks>
/// Only verified bytes reach the destination: the server checks every stored block, and each packet is
/// checked against its CRC-32C on arrival. Bytes go straight from the connection's buffers to the
/// destination. A replica on this machine is read from its file when its server allows it (see
/// <see cref="ChunkReadOptions.ShortCircuitLocalReads"/>), each block checked against the checksum the server
/// gave. Thread-safe; each read uses its own connection.
/// </remarks>
public sealed partial class ChunkReadClient
{
    private readonly ChunkReadOptions _options;
    private long _bytesRead;
    private long _localBytesRead;

    public ChunkReadClient(ChunkReadOptions? options = null)
    {
        _options = options ?? new ChunkReadOptions();
        _options.Validate();
    }

    /// <summary>Verified bytes this client has delivered to destinations, by any path.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Of <see cref="BytesRead"/>, the bytes read straight from a local replica's file (short-circuit).</summary>
    public long LocalBytesRead => Interlocked.Read(ref _localBytesRead);

    /// <summary>Copies bytes [offset, offset + length) of the chunk into <paramref name="destination"/>; a negative length reads to the chunk's end.</summary>
    /// <returns>The replica that delivered the last bytes.</returns>
    /// <exception cref="ChunkServerException">No replica could serve the range; the code is StaleVersion or NotFound when all agreed on that.</exception>
    public Task<ChunkInfo> ReadAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        Stream destination, CancellationToken cancellationToken) =>
        ReadAsync(id, minimumVersion, offset, length, replicas, (data, ct) => destination.WriteAsync(data, ct), cancellationToken);

    /// <inheritdoc cref="ReadAsync(ChunkId, long, long, long, IReadOnlyList{ChunkEndpoint}, Stream, CancellationToken)"/>
    public Task<ChunkInfo> ReadAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        PipeWriter destination, CancellationToken cancellationToken) =>
        ReadAsync(id, minimumVersion, offset, length, replicas, destination, null, cancellationToken);

    /// <summary>
    /// Copies bytes [offset, offset + length) of the chunk into <paramref name="destination"/>, flushing each verified
    /// piece. A local replica's file is read straight into the pipe's memory and checked there, so the bytes are copied
    /// once on their way to the pipe's reader (a socket, for the gateway) instead of through an intermediate buffer.
    /// </summary>
    /// <param name="delivered">Told the count of each run of bytes once it is flushed, so a caller knows where to go on from after a failure.</param>
    /// <inheritdoc cref="ReadAsync(ChunkId, long, long, long, IReadOnlyList{ChunkEndpoint}, Stream, CancellationToken)"/>
    public Task<ChunkInfo> ReadAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        PipeWriter destination, Action<long>? delivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return ReadCoreAsync(id, minimumVersion, offset, length, replicas, new ReadTarget(destination, delivered), null, cancellationToken);
    }

    /// <summary>Hands each verified piece of the range, in order, to <paramref name="sink"/> (the memory is valid only during the call).</summary>
    public Task<ChunkInfo> ReadAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken cancellationToken) =>
        ReadAsync(id, minimumVersion, offset, length, replicas, sink, null, cancellationToken);

    /// <param name="onReplica">Told which replica serves the bytes before the first of them arrives from it.</param>
    public Task<ChunkInfo> ReadAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, Func<ChunkInfo, CancellationToken, ValueTask>? onReplica,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return ReadCoreAsync(id, minimumVersion, offset, length, replicas, new ReadTarget(sink), onReplica, cancellationToken);
    }

    private async Task<ChunkInfo> ReadCoreAsync(ChunkId id, long minimumVersion, long offset, long length, IReadOnlyList<ChunkEndpoint> replicas,
        ReadTarget sink, Func<ChunkInfo, CancellationToken, ValueTask>? onReplica, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (replicas.Count == 0)
        {
            throw new ChunkServerException(ChunkErrorCode.NotFound, $"Chunk {id} has no replica to read from.");
        }
        var state = new ReadState(offset, length < 0 ? -1 : offset + length);
        var failures = new List<ChunkServerException>();
        foreach (var replica in replicas)
        {
            try
            {
                return await ReadFromAsync(replica, id, minimumVersion, state, sink, onReplica, cancellationToken);
            }
            catch (DestinationFailedException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
            }
            catch (ChunkServerException e)
            {
                failures.Add(e);
            }
            catch (Exception e) when (e is IOException or SocketException or FramingException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add(new ChunkServerException(
                    e is OperationCanceledException ? ChunkErrorCode.Timeout : ChunkErrorCode.Unreachable,
                    $"{replica}: {(e is OperationCanceledException ? $"no answer within {_options.Timeout.TotalSeconds:0.#} s" : e.Message)}"));
            }
        }
        var code = failures.All(f => f.Code == ChunkErrorCode.StaleVersion) ? ChunkErrorCode.StaleVersion
            : failures.All(f => f.Code == ChunkErrorCode.NotFound) ? ChunkErrorCode.NotFound
            : failures.Any(f => f.Code == ChunkErrorCode.Corrupt) ? ChunkErrorCode.Corrupt
            : failures[^1].Code;
        throw new ChunkServerException(code,
            $"No replica of chunk {id} (version ≥ {minimumVersion}) could serve bytes from {state.Position}: " +
            string.Join("; ", failures.Select(f => $"{f.Code}: {f.Message}")));
    }

    private async Task<ChunkInfo> ReadFromAsync(ChunkEndpoint replica, ChunkId id, long minimumVersion, ReadState state,
        ReadTarget sink, Func<ChunkInfo, CancellationToken, ValueTask>? onReplica,
        CancellationToken cancellationToken)
    {
        var peer = replica.ToString();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        var connection = await FrameConnection.ConnectAsync(replica.Host, replica.Port, timeout.Token);
        try
        {
            var announced = false;
            if (_options.ShortCircuitLocalReads && IsOnThisMachine(replica))
            {
                // A local read that cannot start or finish (refused, file gone, a block failing its check) goes on
                // over this connection from the first byte not delivered: the server then verifies the blocks
                // itself and reports a corrupt replica.
                var local = await TryReadLocallyAsync(connection, peer, id, minimumVersion, state, sink, onReplica, timeout, cancellationToken);
                if (local.Completed)
                {
                    return local.Replica!;
                }
                announced = local.Replica is not null;
            }
            return await ReadOverAsync(connection, peer, id, minimumVersion, state, sink, announced ? null : onReplica, timeout, cancellationToken);
        }
        finally
        {
            await connection.DisposeQuietlyAsync();
        }
    }

    private async Task<ChunkInfo> ReadOverAsync(FrameConnection connection, string peer, ChunkId id, long minimumVersion, ReadState state,
        ReadTarget sink, Func<ChunkInfo, CancellationToken, ValueTask>? onReplica,
        CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        var remaining = state.End < 0 ? -1 : state.End - state.Position;
        ChunkWire.Send(connection, 1, new ReadRequest(id, minimumVersion, state.Position, remaining));
        await connection.FlushAsync(timeout.Token);

        var info = ChunkWire.Expect<ChunkInfoMessage>(await connection.ReadAsync(timeout.Token), peer, ChunkFrameType.ReadHeader).Info;
        await AcceptSourceAsync(peer, id, info, state, onReplica, cancellationToken);

        while (true)
        {
            timeout.CancelAfter(_options.Timeout);
            var read = await connection.ReadAsync(timeout.Token);
            if (read is not { } frame)
            {
                throw new ChunkServerException(ChunkErrorCode.Unreachable, $"{peer} closed the connection at offset {state.Position} of chunk {id}.");
            }
            switch ((ChunkFrameType)frame.Type)
            {
                case ChunkFrameType.Data:
                    if (!ChunkWire.TryParseData(frame, out var packetOffset, out var data))
                    {
                        throw new ChunkServerException(ChunkErrorCode.Corrupt, $"{peer}: the packet at offset {packetOffset} of chunk {id} failed its CRC-32C check on arrival.");
                    }
                    if (packetOffset != state.Position || packetOffset + data.Length > state.End)
                    {
                        throw new ChunkServerException(ChunkErrorCode.Protocol, $"{peer} sent bytes {packetOffset}..{packetOffset + data.Length} of chunk {id}; {state.Position}..{state.End} were expected.");
                    }
                    foreach (var segment in data)
                    {
                        await DeliverAsync(sink, segment, cancellationToken);
                    }
                    state.Position += data.Length;
                    Interlocked.Add(ref _bytesRead, data.Length);
                    break;
                case ChunkFrameType.ReadEnd:
                    if (state.Position != state.End)
                    {
                        throw new ChunkServerException(ChunkErrorCode.Protocol, $"{peer} ended the read of chunk {id} at offset {state.Position}, short of {state.End}.");
                    }
                    return info;
                case ChunkFrameType.Error:
                    throw ChunkWire.Parse<ErrorMessage>(frame).ToException();
                default:
                    throw new ChunkServerException(ChunkErrorCode.Protocol, $"{peer} sent frame type {frame.Type} inside a read.");
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="info"/> as the replica the next bytes come from: it must hold the same contents as
    /// any replica read before; <paramref name="onReplica"/> is told; an open-ended range ends at its length.
    /// </summary>
    private static async ValueTask AcceptSourceAsync(string peer, ChunkId id, ChunkInfo info, ReadState state,
        Func<ChunkInfo, CancellationToken, ValueTask>? onReplica, CancellationToken cancellationToken)
    {
        if (state.Source is { } first && (first.Length != info.Length || first.Checksum != info.Checksum))
        {
            throw new ChunkServerException(ChunkErrorCode.Conflict,
                $"{peer} holds chunk {id} v{info.Version} with different contents (CRC-32C {info.Checksum:x8}, {info.Length} bytes) from the replica read so far (v{first.Version}, {first.Checksum:x8}, {first.Length} bytes).");
        }
        state.Source = info;
        if (onReplica is not null)
        {
            try
            {
                await onReplica(info, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DestinationFailedException(e);
            }
        }
        if (state.End < 0)
        {
            state.End = Math.Max(state.Position, info.Length);
        }
    }

    /// <summary>Hands verified bytes to the destination; its failures are not the replica's.</summary>
    private static async ValueTask DeliverAsync(ReadTarget sink, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await sink.WriteAsync(data, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DestinationFailedException(e);
        }
    }

    /// <summary>The destination failed: not a replica's fault, so no failover.</summary>
    private sealed class DestinationFailedException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>Progress of one read across replicas.</summary>
    private sealed class ReadState(long position, long end)
    {
        public long Position { get; set; } = position;

        public long End { get; set; } = end;

        public ChunkInfo? Source { get; set; }
    }
}
