using System.Buffers;
using System.Text;
using Dfs.Client.Kv;
using Microsoft.AspNetCore.Http.Features;

namespace Dfs.Raft.Master.Http;

/// <summary>Turns HTTP requests into keys, values and commands, with errors a person can act on.</summary>
internal static class KvRequestParsing
{
    private const string KvPrefix = "/kv/";

    /// <summary>
    /// The key named by the path after <c>/kv/</c>, fully percent-decoded (so <c>%2F</c> is a slash inside the
    /// key), as UTF-8 bytes.
    /// </summary>
    /// <exception cref="KvValidationException">Empty or too long.</exception>
    public static byte[] KeyFromPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }
        var encoded = raw.StartsWith(KvPrefix, StringComparison.Ordinal) ? raw[KvPrefix.Length..] : "";
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(encoded);
        }
        catch (UriFormatException)
        {
            throw new KvValidationException("The key in the path is not valid percent-encoding.");
        }
        var key = Encoding.UTF8.GetBytes(decoded);
        KvLimits.ValidateKey(key);
        return key;
    }

    /// <summary>Reads the request body as a value of at most <see cref="KvLimits.MaxValueBytes"/>; the caller returns the buffer to the pool.</summary>
    /// <exception cref="KvValidationException">The body is larger than the limit.</exception>
    public static async Task<(byte[] Buffer, int Length)> ReadValueAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > KvLimits.MaxValueBytes)
        {
            throw new KvValidationException($"The value is {request.ContentLength} bytes; the limit is {KvLimits.MaxValueBytes} bytes (1 MiB).");
        }
        var capacity = (int)(request.ContentLength ?? 4096) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(capacity, KvLimits.MaxValueBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > KvLimits.MaxValueBytes)
                    {
                        throw new KvValidationException($"The value is over {KvLimits.MaxValueBytes} bytes (1 MiB), the limit.");
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, KvLimits.MaxValueBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            if (length > KvLimits.MaxValueBytes)
            {
                throw new KvValidationException($"The value is over {KvLimits.MaxValueBytes} bytes (1 MiB), the limit.");
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The optional <c>X-Client-Id</c> and <c>X-Sequence</c> headers that make a retried write apply once.</summary>
    /// <exception cref="KvValidationException">Only one of them is given, or either is malformed.</exception>
    public static ClientRequest? ClientRequestFrom(HttpRequest request)
    {
        var id = request.Headers["X-Client-Id"].ToString();
        var sequence = request.Headers["X-Sequence"].ToString();
        if (id.Length == 0 && sequence.Length == 0)
        {
            return null;
        }
        if (!Guid.TryParse(id, out var clientId) || !long.TryParse(sequence, out var seq) || seq < 1)
        {
            throw new KvValidationException("X-Client-Id must be a GUID and X-Sequence a positive integer, and they go together.");
        }
        // An HTTP client retries one request at a time: every lower sequence number counts as answered.
        return new ClientRequest(clientId, seq, seq);
    }

    /// <summary>Builds a transaction command from its JSON form, naming the offending item on error.</summary>
    /// <exception cref="KvValidationException">Any part is missing or malformed.</exception>
    public static KvTxnCommand Txn(TxnRequestJson? body)
    {
        if (body is null)
        {
            throw new KvValidationException("The body must be a JSON object with compare, success and failure lists.");
        }
        var compares = (body.Compare ?? []).Select((c, i) => Compare(c, $"compare[{i}]")).ToArray();
        var success = (body.Success ?? []).Select((o, i) => Op(o, $"success[{i}]")).ToArray();
        var failure = (body.Failure ?? []).Select((o, i) => Op(o, $"failure[{i}]")).ToArray();
        return KvCommand.Txn(compares, success, failure);
    }

    private static KvCompare Compare(TxnCompareJson? compare, string where)
    {
        if (compare?.Key is null)
        {
            throw new KvValidationException($"{where}: key is required.");
        }
        var key = Encoding.UTF8.GetBytes(compare.Key);
        var op = compare.Operator switch
        {
            "==" or null => KvCompareOperator.Equal,
            "!=" => KvCompareOperator.NotEqual,
            "<" => KvCompareOperator.Less,
            ">" => KvCompareOperator.Greater,
            _ => throw new KvValidationException($"{where}: operator must be ==, !=, < or > (got '{compare.Operator}')."),
        };
        long Number() => compare.Number ?? throw new KvValidationException($"{where}: target {compare.Target} needs a number.");
        return Wrap(where, () => compare.Target switch
        {
            "value" => KvCompare.ValueIs(key, op, Encoding.UTF8.GetBytes(compare.Value ?? throw new KvValidationException($"{where}: target value needs a value."))),
            "version" => KvCompare.VersionIs(key, op, Number()),
            "createRevision" => KvCompare.CreateRevisionIs(key, op, Number()),
            "modRevision" => KvCompare.ModRevisionIs(key, op, Number()),
            "exists" when op == KvCompareOperator.Equal => (compare.Number ?? 1) != 0 ? KvCompare.Exists(key) : KvCompare.Missing(key),
            "exists" => throw new KvValidationException($"{where}: exists takes only the operator =="),
            _ => throw new KvValidationException($"{where}: target must be value, version, createRevision, modRevision or exists (got '{compare.Target}')."),
        });
    }

    private static KvOp Op(TxnOpJson? op, string where)
    {
        if (op?.Op is null)
        {
            throw new KvValidationException($"{where}: op is required (put, delete, deletePrefix, get or range).");
        }
        byte[] Key() => Encoding.UTF8.GetBytes(op.Key ?? throw new KvValidationException($"{where}: {op.Op} needs a key."));
        byte[] Prefix() => Encoding.UTF8.GetBytes(op.Prefix ?? throw new KvValidationException($"{where}: {op.Op} needs a prefix."));
        return Wrap(where, () => op.Op switch
        {
            "put" => KvOp.Put(Key(), Encoding.UTF8.GetBytes(op.Value ?? throw new KvValidationException($"{where}: put needs a value.")), op.Lease),
            "delete" => KvOp.Delete(Key()),
            "deletePrefix" => KvOp.DeletePrefix(Prefix()),
            "get" => KvOp.Get(Key()),
            "range" => KvOp.Prefix(Prefix(), op.Limit),
            _ => throw new KvValidationException($"{where}: op must be put, delete, deletePrefix, get or range (got '{op.Op}')."),
        });
    }

    private static T Wrap<T>(string where, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (KvValidationException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new KvValidationException($"{where}: {e.Message}");
        }
    }
}
