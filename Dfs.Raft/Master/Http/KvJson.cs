using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;

namespace Dfs.Raft.Master.Http;

/// <summary>A key and value as JSON: text when the bytes are UTF-8, else base64 (then <see cref="Encoding"/> says so).</summary>
public sealed record KvItemJson(string Key, string Value, string Encoding, long CreateRevision, long ModRevision, long Version, long Lease)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static KvItemJson From(KvKeyValue item)
    {
        var (value, encoding) = Text(item.Value.Span);
        return new KvItemJson(Text(item.Key.Span).Text, value, encoding, item.CreateRevision, item.ModRevision, item.Version, item.LeaseId);
    }

    internal static (string Text, string Encoding) Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return (StrictUtf8.GetString(bytes), "utf8");
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(bytes), "base64");
        }
    }
}

public sealed record PutResponseJson(long Revision);

public sealed record DeleteResponseJson(long Deleted, long Revision);

public sealed record RangeResponseJson(long Revision, bool More, IReadOnlyList<KvItemJson> Items);

/// <summary>One comparison of a transaction: <c>target</c> of <c>key</c> <c>operator</c> the given value or number.</summary>
public sealed record TxnCompareJson
{
    public string? Key { get; init; }

    /// <summary>value, version, createRevision, modRevision or exists.</summary>
    public string? Target { get; init; }

    /// <summary>==, !=, &lt; or &gt; (exists takes only ==).</summary>
    public string? Operator { get; init; }

    /// <summary>For target value: the text to compare with.</summary>
    public string? Value { get; init; }

    /// <summary>For version and revisions: the number; for exists: 1 (exists) or 0 (missing).</summary>
    public long? Number { get; init; }
}

/// <summary>One operation of a transaction branch.</summary>
public sealed record TxnOpJson
{
    /// <summary>put, delete, deletePrefix, get or range.</summary>
    public string? Op { get; init; }

    public string? Key { get; init; }

    public string? Value { get; init; }

    public string? Prefix { get; init; }

    public long Lease { get; init; }

    public int Limit { get; init; }
}

/// <summary>A compare-and-swap over several keys: if every compare holds, the success ops run, else the failure ops; atomically.</summary>
public sealed record TxnRequestJson
{
    public IReadOnlyList<TxnCompareJson>? Compare { get; init; }

    public IReadOnlyList<TxnOpJson>? Success { get; init; }

    public IReadOnlyList<TxnOpJson>? Failure { get; init; }
}

public sealed record TxnOpResultJson(string Op, IReadOnlyList<KvItemJson> Items, bool More, long Deleted);

public sealed record TxnResponseJson(bool Succeeded, long Revision, IReadOnlyList<TxnOpResultJson> Results);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PutResponseJson))]
[JsonSerializable(typeof(DeleteResponseJson))]
[JsonSerializable(typeof(RangeResponseJson))]
[JsonSerializable(typeof(TxnRequestJson))]
[JsonSerializable(typeof(TxnResponseJson))]
[JsonSerializable(typeof(MasterStatus))]
[JsonSerializable(typeof(Membership.MasterMembers))]
[JsonSerializable(typeof(Membership.AddMasterRequest))]
internal sealed partial class MasterJsonContext : JsonSerializerContext;
