using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Dfs.Common.Framing;

/// <summary>
/// Frames over a duplex pipe: a Kestrel connection on the server side, a socket on the client side.
/// </summary>
/// <remarks>
/// One reader and one writer at a time: <see cref="ReadAsync"/> must not be called concurrently with
/// itself, and writes (<see cref="WriteFrame(ushort, ulong, ReadOnlySpan{byte}, ushort)"/>,
/// <see cref="BeginFrame"/>/<see cref="EndFrame"/>, <see cref="FlushAsync"/>) must be serialized by the
/// caller, for example with <see cref="WriteLock"/>. A frame returned by <see cref="ReadAsync"/> stays
/// valid until the next call to it.
/// </remarks>
public sealed class FrameConnection : IAsyncDisposable
{
    /// <summary>The default limit on one frame's payload: large enough for a 64 KiB data packet with headroom, and Raft batches.</summary>
    public const int DefaultMaxPayloadBytes = 16 * 1024 * 1024;

    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly int _maxPayloadBytes;
    private readonly IAsyncDisposable? _owned;
    private ReadOnlySequence<byte> _buffer;
    private bool _hasPendingRead;
    private readonly CountingBufferWriter _payloadWriter;
    private bool _frameOpen;
    private Memory<byte> _headerSlot;

    public FrameConnection(IDuplexPipe transport, int maxPayloadBytes = DefaultMaxPayloadBytes, IAsyncDisposable? owned = null)
    {
        _reader = transport.Input;
        _writer = transport.Output;
        _maxPayloadBytes = maxPayloadBytes;
        _owned = owned;
        _payloadWriter = new CountingBufferWriter(_writer);
    }

    /// <summary>Serializes writers that share this connection.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Opens a TCP connection with Nagle off and wraps it in frames.</summary>
    public static async Task<FrameConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken,
        int maxPayloadBytes = DefaultMaxPayloadBytes)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        var pipe = new StreamDuplexPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 16 * 1024)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)));
        return new FrameConnection(pipe, maxPayloadBytes, stream);
    }

    /// <summary>
    /// Reads the next frame, or returns null when the peer closed the connection cleanly between frames.
    /// </summary>
    /// <exception cref="FramingException">Garbage on the wire, or the connection ended inside a frame.</exception>
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_hasPendingRead)
        {
            // Frames already buffered behind the previous one are parsed before asking the pipe for more:
            // the pipe treats them as examined and would otherwise wait for new bytes.
            if (FrameParser.TryParse(ref _buffer, _maxPayloadBytes, out var buffered))
            {
                return buffered;
            }
            // The previous frame's bytes are released only now, so its payload stayed valid until this call.
            _reader.AdvanceTo(_buffer.Start, _buffer.End);
            _hasPendingRead = false;
        }

        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            _buffer = result.Buffer;
            _hasPendingRead = true;
            if (FrameParser.TryParse(ref _buffer, _maxPayloadBytes, out var frame))
            {
                return frame;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                var leftover = _buffer.Length;
                _reader.AdvanceTo(_buffer.End);
                _hasPendingRead = false;
                if (leftover == 0)
                {
                    return null;
                }
                throw new FramingException($"Connection closed inside a frame ({leftover} bytes of it received).");
            }
            _reader.AdvanceTo(_buffer.Start, _buffer.End);
            _hasPendingRead = false;
        }
    }

    /// <summary>
    /// Whether the next <see cref="ReadAsync"/> returns a frame already received, without waiting: a node passing
    /// frames on can hold its flush until the burst it is forwarding ends.
    /// </summary>
    public bool HasBufferedFrame
    {
        get
        {
            if (!_hasPendingRead)
            {
                return false;
            }
            var rest = _buffer;
            try
            {
                return FrameParser.TryParse(ref rest, _maxPayloadBytes, out _);
            }
            catch (FramingException)
            {
                // The next read reports it at once.
                return true;
            }
        }
    }

    /// <summary>Buffers one frame with the given payload. Call <see cref="FlushAsync"/> to send.</summary>
    public void WriteFrame(ushort type, ulong requestId, ReadOnlySpan<byte> payload, ushort flags = 0)
    {
        if (payload.Length > _maxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), $"Payload of {payload.Length} bytes exceeds the frame limit of {_maxPayloadBytes}.");
        }
        var span = _writer.GetSpan(FrameHeader.Size + payload.Length);
        new FrameHeader(payload.Length, type, flags, requestId).Write(span);
        payload.CopyTo(span[FrameHeader.Size..]);
        _writer.Advance(FrameHeader.Size + payload.Length);
    }

    /// <summary>
    /// Starts a frame whose payload the caller writes straight into the returned buffer writer, with no
    /// intermediate copy; <see cref="EndFrame"/> fills in the length.
    /// </summary>
    public IBufferWriter<byte> BeginFrame(ushort type, ulong requestId, ushort flags = 0)
    {
        if (_frameOpen)
        {
            throw new InvalidOperationException("A frame is already open on this connection.");
        }
        _headerSlot = _writer.GetMemory(FrameHeader.Size)[..FrameHeader.Size];
        new FrameHeader(0, type, flags, requestId).Write(_headerSlot.Span);
        _writer.Advance(FrameHeader.Size);
        _payloadWriter.Reset();
        _frameOpen = true;
        return _payloadWriter;
    }

    /// <summary>Completes the frame begun by <see cref="BeginFrame"/>.</summary>
    public void EndFrame()
    {
        if (!_frameOpen)
        {
            throw new InvalidOperationException("No frame is open on this connection.");
        }
        var length = _payloadWriter.Written;
        if (length > _maxPayloadBytes)
        {
            throw new InvalidOperationException($"Frame payload of {length} bytes exceeds the limit of {_maxPayloadBytes}.");
        }
        // The header memory stays valid: the pipe keeps unflushed segments alive until FlushAsync.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_headerSlot.Span, length);
        _frameOpen = false;
    }

    /// <summary>Sends buffered frames.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _writer.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("The peer closed the connection.");
        }
    }

    /// <summary>Closes the connection; never throws for a connection that already broke.</summary>
    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        try
        {
            // Completing a stream-backed writer flushes what is left, which fails on a broken connection.
            await _writer.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
        }
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
        WriteLock.Dispose();
    }

    /// <summary>Forwards to the pipe writer and counts the payload bytes of the open frame.</summary>
    private sealed class CountingBufferWriter(PipeWriter inner) : IBufferWriter<byte>
    {
        public int Written { get; private set; }

        public void Reset() => Written = 0;

        public void Advance(int count)
        {
            inner.Advance(count);
            Written = checked(Written + count);
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }

    private sealed record StreamDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
