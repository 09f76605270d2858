using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Raft.Master.Http;

/// <summary>The key-value routes of a master's HTTP API (<c>/kv/…</c>).</summary>
/// <remarks>The routes throw; <see cref="MasterExceptionHandler"/>, the master's exception handler, turns every failure into its answer.</remarks>
public static class KvEndpoints
{
    public static IEndpointRouteBuilder MapKvApi(this IEndpointRouteBuilder routes)
    {
        var kv = routes;
        kv.MapPut("/kv/{**key}", PutAsync);
        kv.MapGet("/kv/{**key}", GetAsync);
        kv.MapDelete("/kv/{**key}", DeleteAsync);
        kv.MapGet("/kv", RangeAsync);
        kv.MapPost("/kv/txn", TxnAsync);
        return routes;
    }

    private static async Task<IResult> PutAsync(HttpContext context, IMasterKv kv, CancellationToken cancellationToken)
    {
        var key = KvRequestParsing.KeyFromPath(context);
        var request = KvRequestParsing.ClientRequestFrom(context.Request);
        var leaseText = context.Request.Query["lease"].ToString();
        long lease = 0;
        if (leaseText.Length > 0 && !long.TryParse(leaseText, NumberStyles.None, CultureInfo.InvariantCulture, out lease))
        {
            throw new KvValidationException($"lease must be a lease id (a positive integer), not '{leaseText}'.");
        }
        var (buffer, length) = await KvRequestParsing.ReadValueAsync(context.Request, cancellationToken);
        try
        {
            var command = KvCommand.Put(key, buffer.AsMemory(0, length), lease);
            var result = await kv.ExecuteAsync(command, request, cancellationToken);
            return Outcome(context, result) ?? Json(new PutResponseJson(result.Revision), MasterJsonContext.Default.PutResponseJson);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<IResult> GetAsync(HttpContext context, IMasterKv kv, CancellationToken cancellationToken)
    {
        var key = KvRequestParsing.KeyFromPath(context);
        var linearizable = !IsTrue(context.Request.Query["serializable"]);
        var item = await kv.ReadAsync(store => store.Get(key), linearizable, cancellationToken);
        if (item is null)
        {
            return MasterProblems.Problem(context, new MasterError(MasterErrorCode.NotFound, $"The key '{Encoding.UTF8.GetString(key)}' does not exist."));
        }
        var headers = context.Response.Headers;
        headers["X-Revision"] = item.ModRevision.ToString(CultureInfo.InvariantCulture);
        headers["X-Create-Revision"] = item.CreateRevision.ToString(CultureInfo.InvariantCulture);
        headers["X-Version"] = item.Version.ToString(CultureInfo.InvariantCulture);
        if (item.LeaseId != 0)
        {
            headers["X-Lease"] = item.LeaseId.ToString(CultureInfo.InvariantCulture);
        }
        return Results.Bytes(item.Value, "application/octet-stream");
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IMasterKv kv, CancellationToken cancellationToken)
    {
        var key = KvRequestParsing.KeyFromPath(context);
        var result = await kv.ExecuteAsync(KvCommand.Delete(key), KvRequestParsing.ClientRequestFrom(context.Request), cancellationToken);
        var deleted = result.Responses.Count > 0 ? result.Responses[0].Deleted : 0;
        return Outcome(context, result) ?? Json(new DeleteResponseJson(deleted, result.Revision), MasterJsonContext.Default.DeleteResponseJson);
    }

    private static async Task<IResult> RangeAsync(HttpContext context, IMasterKv kv,
        [FromQuery] string? prefix, [FromQuery] string? limit, CancellationToken cancellationToken)
    {
        var max = 1000;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > 10_000))
        {
            throw new KvValidationException($"limit must be a whole number from 1 to 10000 (got '{limit}').");
        }
        var prefixBytes = Encoding.UTF8.GetBytes(prefix ?? "");
        if (prefixBytes.Length > KvLimits.MaxKeyBytes)
        {
            throw new KvValidationException($"The prefix is {prefixBytes.Length} bytes; keys are at most {KvLimits.MaxKeyBytes} bytes.");
        }
        var linearizable = !IsTrue(context.Request.Query["serializable"]);
        var range = await kv.ReadAsync(store => store.RangePrefix(prefixBytes, max), linearizable, cancellationToken);
        return Json(new RangeResponseJson(range.Revision, range.More, range.Items.Select(KvItemJson.From).ToArray()),
            MasterJsonContext.Default.RangeResponseJson);
    }

    private static async Task<IResult> TxnAsync(HttpContext context, IMasterKv kv, CancellationToken cancellationToken)
    {
        TxnRequestJson? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, MasterJsonContext.Default.TxnRequestJson, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new KvValidationException($"The body is not valid transaction JSON: {e.Message}");
        }
        var command = KvRequestParsing.Txn(body);
        var result = await kv.ExecuteAsync(command, KvRequestParsing.ClientRequestFrom(context.Request), cancellationToken);
        return Outcome(context, result) ?? Json(new TxnResponseJson(result.Succeeded, result.Revision,
                result.Responses.Select(r => new TxnOpResultJson(OpName(r.Kind), r.Items.Select(KvItemJson.From).ToArray(), r.More, r.Deleted)).ToArray()),
            MasterJsonContext.Default.TxnResponseJson);
    }

    /// <summary>A result the state machine refused, as problem details; null if it succeeded.</summary>
    private static IResult? Outcome(HttpContext context, KvResult result) =>
        MasterErrorCodes.From(result.Status) is { } code
            ? MasterProblems.Problem(context, new MasterError(code, result.Error ?? $"The store refused the command ({result.Status})."))
            : null;

    private static IResult Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(value, type), "application/json");

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && (value[0] is "" or "1" || string.Equals(value[0], "true", StringComparison.OrdinalIgnoreCase));

    private static string OpName(KvOpKind kind) => kind switch
    {
        KvOpKind.Put => "put",
        KvOpKind.Delete => "delete",
        KvOpKind.DeleteRange => "deletePrefix",
        KvOpKind.Get => "get",
        _ => "range",
    };
}
