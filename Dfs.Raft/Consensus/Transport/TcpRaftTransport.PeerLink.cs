using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Dfs.Common.Framing;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

public sealed partial class TcpRaftTransport
{
    /// <summary>The outbound side towards one peer: a bounded queue and the task that drains it into one connection.</summary>
    private sealed class PeerLink
    {
        private readonly TcpRaftTransport _owner;
        private readonly string _peer;
        private readonly Channel<RaftMessage> _queue;
        private readonly Task _writer;
        private ulong _nextTransferId;

        public PeerLink(TcpRaftTransport owner, string peer, DnsEndPoint address)
        {
            _owner = owner;
            _peer = peer;
            Address = address;
            _queue = Channel.CreateBounded<RaftMessage>(new BoundedChannelOptions(owner._options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            });
            _writer = Task.Run(() => RunAsync(owner._stopping.Token));
        }

        public DnsEndPoint Address { get; set; }

        public void Enqueue(RaftMessage message) => _queue.Writer.TryWrite(message);

        public async Task StopAsync()
        {
            _queue.Writer.TryComplete();
            try
            {
                await _writer;
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            var options = _owner._options;
            var delay = options.MinReconnectDelay;
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                var address = Address;
                FrameConnection connection;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(options.ConnectTimeout);
                    connection = await FrameConnection.ConnectAsync(address.Host, address.Port, timeout.Token);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // Whatever waited for this peer is stale by the time it could go out; Raft resends.
                    while (_queue.Reader.TryRead(out _))
                    {
                    }
                    Log.ConnectFailed(_owner._logger, _peer, address.ToString(), e.Message, delay.TotalMilliseconds);
                    _owner.ReportUnreachable(_peer);
                    await Task.Delay(delay, _owner._time, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
                    continue;
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    // Shutting down while connecting: whatever the attempt ran into no longer matters.
                    return;
                }

                delay = options.MinReconnectDelay;
                Log.Connected(_owner._logger, _peer, address.ToString());
                try
                {
                    await PumpAsync(connection, cancellationToken);
                }
                catch (PeerClosedException)
                {
                    Log.PeerClosed(_owner._logger, _peer);
                    _owner.ReportPeerClosed(_peer);
                    _owner.ReportUnreachable(_peer);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    Log.ConnectionLost(_owner._logger, _peer, e.Message);
                    _owner.ReportUnreachable(_peer);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    // Shutting down: whatever broke the connection no longer matters.
                    return;
                }
                finally
                {
                    await CloseAsync(connection);
                }
            }
        }

        private static async Task CloseAsync(FrameConnection connection)
        {
            try
            {
                await connection.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // Frames left unflushed on a broken connection cannot go anywhere; the socket is closed either way.
            }
        }

        private async Task PumpAsync(FrameConnection connection, CancellationToken cancellationToken)
        {
            using var pumping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var watch = WatchForCloseAsync(connection, pumping);
            Exception? failure = null;
            var peerClosed = false;
            try
            {
                await PumpFramesAsync(connection, pumping.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Decided below, once the watch has ended: the watch cancelled the pump, or a write failed on its own.
                failure = e;
            }
            finally
            {
                await pumping.CancelAsync();
                peerClosed = await watch;
            }
            if (peerClosed)
            {
                // Whatever the pump ran into (the watch's cancellation, a write into the closed socket), the peer closed it.
                throw new PeerClosedException();
            }
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        /// <summary>
        /// Reads the connection, on which the peer never writes, until it ends: an end of stream or a reset means the peer
        /// closed it, most often because its process died (the kernel closes a dead process's sockets at once). The pump is
        /// then cancelled, so the link reconnects before its next message instead of writing it into a dead socket, and the
        /// node hears of it at once. Returns true when the peer closed the connection, false when the pump ended first.
        /// </summary>
        private static async Task<bool> WatchForCloseAsync(FrameConnection connection, CancellationTokenSource pumping)
        {
            try
            {
                while (await connection.ReadAsync(pumping.Token) is not null)
                {
                    // Nothing is expected back on this connection; whatever comes is ignored.
                }
            }
            catch (Exception) when (pumping.IsCancellationRequested)
            {
                // The pump ended first (and may be closing the connection under this read).
                return false;
            }
            catch (Exception e) when (e is IOException or FramingException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // A reset or a cut frame: closed just the same.
            }
            if (pumping.IsCancellationRequested)
            {
                return false;
            }
            await pumping.CancelAsync();
            return true;
        }

        private async Task PumpFramesAsync(FrameConnection connection, CancellationToken cancellationToken)
        {
            var maxBatch = _owner._options.MaxBatchMessages;
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                var written = 0;
                while (written < maxBatch && _queue.Reader.TryRead(out var message))
                {
                    if (message is InstallSnapshot { Payload: not null } snapshot)
                    {
                        await SendSnapshotAsync(connection, snapshot, cancellationToken);
                    }
                    else
                    {
                        var payload = connection.BeginFrame(RaftMessageCodec.FrameTypeOf(message), 0);
                        RaftMessageCodec.Write(message, payload);
                        connection.EndFrame();
                    }
                    written++;
                }
                await connection.FlushAsync(cancellationToken);
            }
        }

        private async Task SendSnapshotAsync(FrameConnection connection, InstallSnapshot message, CancellationToken cancellationToken)
        {
            var transferId = ++_nextTransferId;
            await using var stream = message.Payload!.OpenRead();
            var length = stream.Length;
            var header = connection.BeginFrame(RaftFrameType.InstallSnapshot, transferId);
            // The announced length is the stream's, so a payload that changed under us cannot desynchronize the frames.
            RaftMessageCodec.Write(message with { Payload = new LengthOnlyPayload(length) }, header);
            connection.EndFrame();

            var chunkBytes = _owner._options.SnapshotChunkBytes;
            var remaining = length;
            while (remaining > 0)
            {
                var size = (int)Math.Min(chunkBytes, remaining);
                var chunk = connection.BeginFrame(RaftFrameType.SnapshotChunk, transferId);
                var memory = chunk.GetMemory(size)[..size];
                var read = await stream.ReadAtLeastAsync(memory, size, throwOnEndOfStream: false, cancellationToken);
                if (read < size)
                {
                    throw new IOException($"Snapshot {message.Metadata.Index} ended {remaining - read} bytes early while sending it to {_peer}.");
                }
                chunk.Advance(size);
                connection.EndFrame();
                await connection.FlushAsync(cancellationToken);
                remaining -= size;
            }
            Log.SnapshotSent(_owner._logger, message.Metadata.Index, length, _peer);
        }
    }

    /// <summary>The peer closed the connection a link was writing on.</summary>
    private sealed class PeerClosedException() : IOException("The peer closed the connection.");

    /// <summary>Stands in for a payload when only its length is encoded.</summary>
    private sealed class LengthOnlyPayload(long length) : SnapshotPayload
    {
        public override long Length => length;

        public override Stream OpenRead() => throw new NotSupportedException();
    }
}
