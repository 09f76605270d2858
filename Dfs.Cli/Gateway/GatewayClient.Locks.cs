using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Gateway;

public sealed partial class GatewayClient
{
    /// <summary><c>POST /api/locks/{path}?owner=&amp;ttl=&amp;wait=</c>: takes the lock, waiting up to <paramref name="waitSeconds"/> (423 after that).</summary>
    public async Task<LockLease> AcquireLockAsync(string path, string owner, int? ttlSeconds = null, int? waitSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        using var request = new HttpRequestMessage(HttpMethod.Post, Query("api/locks/" + RemotePath.Encode(path), ("owner", owner), ("ttl", Number(ttlSeconds)), ("wait", Number(waitSeconds))));
        return await ReadJsonAsync<LockLease>(request, cancellationToken);
    }

    /// <summary><c>POST /api/locks/{path}</c> with the token: renews a held lock's lease.</summary>
    public async Task<LockLease> RenewLockAsync(string path, string token, string? owner = null, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Query("api/locks/" + RemotePath.Encode(path), ("owner", owner), ("ttl", Number(ttlSeconds))));
        AddLockToken(request, token);
        return await ReadJsonAsync<LockLease>(request, cancellationToken);
    }

    /// <summary><c>DELETE /api/locks/{path}</c> with the token: releases the lock (409 lock-not-held when the token does not hold it).</summary>
    public async Task ReleaseLockAsync(string path, string token, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/locks/" + RemotePath.Encode(path));
        AddLockToken(request, token);
        using var response = await SendAsync(request, cancellationToken);
    }

    /// <summary><c>GET /api/locks/{path}</c>: who holds the lock and who waits.</summary>
    public async Task<LockState> GetLockAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/locks/" + RemotePath.Encode(path));
        return await ReadJsonAsync<LockState>(request, cancellationToken);
    }
}
