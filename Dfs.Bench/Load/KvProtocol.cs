using System.Buffers;
using System.Text;

namespace Dfs.Bench.Load;

/// <summary>How one key-value system spells a put and a linearizable get over HTTP/1.1.</summary>
public abstract class KvProtocol
{
    public abstract string Name { get; }

    /// <summary>Writes a whole put request for <paramref name="key"/> = <paramref name="value"/>.</summary>
    public abstract void WritePut(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Writes a whole linearizable get request for <paramref name="key"/>.</summary>
    public abstract void WriteGet(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key);

    /// <summary>True if the reply acknowledges the operation (a get must have found the key).</summary>
    public abstract bool IsSuccess(in HttpReply reply, bool isGet);

    protected static void Ascii(ArrayBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        writer.Advance(written);
    }

    protected static void Raw(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    protected static void Base64(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        var span = writer.GetSpan(System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        System.Buffers.Text.Base64.EncodeToUtf8(bytes, span, out _, out var written);
        writer.Advance(written);
    }
}

/// <summary>The Dfs master API: <c>PUT /kv/{key}</c> with the raw value, <c>GET /kv/{key}</c> (linearizable by default).</summary>
public sealed class DfsKvProtocol : KvProtocol
{
    public override string Name => "dfs";

    public override void WritePut(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Ascii(request, "PUT /kv/");
        Raw(request, key);
        Ascii(request, $" HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\nContent-Length: {value.Length}\r\n\r\n");
        Raw(request, value);
    }

    public override void WriteGet(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key)
    {
        Ascii(request, "GET /kv/");
        Raw(request, key);
        Ascii(request, $" HTTP/1.1\r\nHost: {host}\r\n\r\n");
    }

    public override bool IsSuccess(in HttpReply reply, bool isGet) => reply.Status == 200;
}

/// <summary>etcd's JSON gateway: <c>POST /v3/kv/put</c> and <c>POST /v3/kv/range</c> with base64 keys and values (range is linearizable by default).</summary>
public sealed class EtcdKvProtocol : KvProtocol
{
    private readonly ArrayBufferWriter<byte> _body = new(1024);

    public override string Name => "etcd";

    public override void WritePut(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _body.ResetWrittenCount();
        Ascii(_body, "{\"key\":\"");
        Base64(_body, key);
        Ascii(_body, "\",\"value\":\"");
        Base64(_body, value);
        Ascii(_body, "\"}");
        Post(request, host, "/v3/kv/put");
    }

    public override void WriteGet(ArrayBufferWriter<byte> request, string host, ReadOnlySpan<byte> key)
    {
        _body.ResetWrittenCount();
        Ascii(_body, "{\"key\":\"");
        Base64(_body, key);
        Ascii(_body, "\"}");
        Post(request, host, "/v3/kv/range");
    }

    private void Post(ArrayBufferWriter<byte> request, string host, string path)
    {
        Ascii(request, $"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {_body.WrittenCount}\r\n\r\n");
        Raw(request, _body.WrittenSpan);
    }

    public override bool IsSuccess(in HttpReply reply, bool isGet) =>
        reply.Status == 200 && (!isGet || reply.Body.Span.IndexOf("\"kvs\""u8) >= 0);
}
