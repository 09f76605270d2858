using System.Globalization;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

/// <summary><c>/api/locks/{path}</c>: take (waiting in the FIFO queue), renew, release and show a path's write lock.</summary>
public static class LockEndpoints
{
    public const string Prefix = "/api/locks/";

    /// <summary>Longest lease a lock may ask for, in seconds.</summary>
    public const int MaxTtlSeconds = 3600;

    /// <summary>Longest wait in the queue, in seconds.</summary>
    public const int MaxWaitSeconds = 300;

    public static IEndpointRouteBuilder MapLockApi(this IEndpointRouteBuilder routes)
    {
        var locks = routes.MapGroup("/api/locks").WithTags("Locks");
        locks.MapPost("/{**path}", AcquireAsync)
            .WithName("AcquireLock")
            .WithSummary("Takes the path's write lock for owner (lease ttl s, waiting up to wait s); with X-Dfs-Lock-Token, renews it.")
            .WithDescription("423 when the lock is still held by another after the wait (the detail names the holder).")
            .Produces<LockJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status423Locked)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        locks.MapDelete("/{**path}", ReleaseAsync)
            .WithName("ReleaseLock")
            .WithSummary("Releases the lock the X-Dfs-Lock-Token holds; the next waiter holds it at once.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        locks.MapGet("/{**path}", GetAsync)
            .WithName("GetLock")
            .WithSummary("Who holds the path's lock and who waits, in order.")
            .Produces<LockQueueJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Ok<LockJson>> AcquireAsync(HttpContext context, IMetadataService metadata, string? path, [FromQuery] string? owner,
        [FromQuery] string? ttl, [FromQuery] string? wait, [FromHeader(Name = LockToken.Header)] string? lockToken, CancellationToken cancellationToken)
    {
        var lockPath = ApiPath.From(context, Prefix);
        if (LockToken.Parse(lockToken) is { } token)
        {
            if (owner is not null && owner != token.Owner)
            {
                throw ApiProblemException.InvalidArgument($"owner '{owner}' is not the owner of the token given ('{token.Owner}').");
            }
            var renewed = await metadata.RenewLockAsync(lockPath, token.Owner, token.LeaseId, cancellationToken);
            return TypedResults.Ok(new LockJson(lockPath, renewed.Owner, new LockToken(renewed.Owner, renewed.LeaseId).ToString(), ApiTime.Iso(renewed.ExpiresMs)));
        }
        if (string.IsNullOrWhiteSpace(owner) || owner.Length > 255)
        {
            throw ApiProblemException.InvalidArgument("owner is required: a name of 1 to 255 characters for who takes the lock.");
        }
        var lease = Seconds(ttl, "ttl", 30, 1, MaxTtlSeconds);
        var patience = Seconds(wait, "wait", 0, 0, MaxWaitSeconds);
        var grant = await metadata.LockAsync(lockPath, owner, TimeSpan.FromSeconds(lease), TimeSpan.FromSeconds(patience), cancellationToken);
        if (!grant.Held)
        {
            var holder = grant.Holder?.ClientId ?? "another owner";
            throw ApiProblemException.Locked($"{lockPath} is locked by {holder}; it was not released within {patience} s.");
        }
        return TypedResults.Ok(new LockJson(lockPath, grant.Owner, new LockToken(grant.Owner, grant.LeaseId).ToString(), ApiTime.Iso(grant.ExpiresMs)));
    }

    private static async Task<NoContent> ReleaseAsync(HttpContext context, IMetadataService metadata, string? path,
        [FromHeader(Name = LockToken.Header)] string? lockToken, CancellationToken cancellationToken)
    {
        var lockPath = ApiPath.From(context, Prefix);
        var token = LockToken.Parse(lockToken)
            ?? throw ApiProblemException.InvalidArgument($"Releasing a lock needs the {LockToken.Header} header its acquisition answered.");
        await metadata.UnlockAsync(lockPath, token.Owner, token.LeaseId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<LockQueueJson>> GetAsync(HttpContext context, IMetadataService metadata, string? path, CancellationToken cancellationToken)
    {
        var lockPath = ApiPath.From(context, Prefix);
        var queue = await metadata.LockQueueAsync(lockPath, cancellationToken);
        return TypedResults.Ok(new LockQueueJson(lockPath, queue.Count > 0 ? queue[0].ClientId : null, [.. queue.Skip(1).Select(h => h.ClientId)]));
    }

    private static int Seconds(string? text, string name, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiProblemException.InvalidArgument($"{name} is a whole number of seconds from {min} to {max}, not '{(text.Length > 20 ? text[..20] + "…" : text)}'.");
    }
}
