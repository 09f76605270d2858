using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Dfs.Bench.Load;

/// <summary>
/// A minimal HTTP/1.1 keep-alive client connection: one request at a time, like wrk, with no per-request
/// allocation beyond the response buffer growth. It keeps the load generator's own CPU cost far below
/// HttpClient's so the servers, not the client, are measured.
/// </summary>
public sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    public string Host { get; private init; } = "";

    public int Port { get; private init; }

    public static async Task<RawHttpConnection> OpenAsync(string host, int port, CancellationToken cancellationToken)
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
        return new RawHttpConnection(socket) { Host = host, Port = port };
    }

    /// <summary>Sends one whole request and reads the whole response; returns the status and the body (valid until the next call).</summary>
    public async ValueTask<HttpReply> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        while (!request.IsEmpty)
        {
            var sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            request = request[sent..];
        }

        // Read the status line and headers.
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(cancellationToken);
        }
        var headers = _buffer.AsSpan(_start, headerEnd);
        var status = ParseStatus(headers);
        var contentLength = -1;
        var chunked = false;
        string? location = null;
        foreach (var line in Encoding.ASCII.GetString(headers).Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
            else if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                location = value;
            }
        }
        _start += headerEnd + 4;

        if (chunked)
        {
            var bodyLength = await ReadChunkedBodyAsync(cancellationToken);
            return new HttpReply(status, new ReadOnlyMemory<byte>(_buffer, 0, bodyLength), location);
        }
        if (contentLength < 0)
        {
            contentLength = 0;
        }
        while (_end - _start < contentLength)
        {
            await FillAsync(cancellationToken);
        }
        var body = new ReadOnlyMemory<byte>(_buffer, _start, contentLength);
        _start += contentLength;
        return new HttpReply(status, body, location);
    }

    private async ValueTask<int> ReadChunkedBodyAsync(CancellationToken cancellationToken)
    {
        // De-chunk in place into the front of a separate buffer region: copy chunks to a body buffer.
        var body = new ArrayBufferWriter<byte>();
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync(cancellationToken);
            }
            var sizeText = Encoding.ASCII.GetString(_buffer, _start, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            _start += lineEnd + 2;
            while (_end - _start < size + 2)
            {
                await FillAsync(cancellationToken);
            }
            body.Write(_buffer.AsSpan(_start, size));
            _start += size + 2;
            if (size == 0)
            {
                break;
            }
        }
        // Compact, then place the body at the buffer's front for the caller.
        Compact();
        if (_buffer.Length < _end + body.WrittenCount)
        {
            Grow(_end + body.WrittenCount);
        }
        Buffer.BlockCopy(_buffer, 0, _buffer, body.WrittenCount, _end);
        _start += body.WrittenCount;
        _end += body.WrittenCount;
        body.WrittenSpan.CopyTo(_buffer);
        return body.WrittenCount;
    }

    private static int ParseStatus(ReadOnlySpan<byte> headers)
    {
        // "HTTP/1.1 200 OK"
        var space = headers.IndexOf((byte)' ');
        if (space < 0 || headers.Length < space + 4)
        {
            throw new IOException("Malformed HTTP status line.");
        }
        var code = headers.Slice(space + 1, 3);
        return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        Compact();
        if (_end == _buffer.Length)
        {
            Grow(_buffer.Length * 2);
        }
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }
        _end += read;
    }

    private void Compact()
    {
        if (_start == 0)
        {
            return;
        }
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }

    private void Grow(int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>A response: status code, body bytes (valid until the connection's next request) and any Location header.</summary>
public readonly record struct HttpReply(int Status, ReadOnlyMemory<byte> Body, string? Location);
