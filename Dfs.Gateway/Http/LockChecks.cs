using Dfs.Client.Metadata;

namespace Dfs.Gateway.Http;

/// <summary>Turns a request's lock token into the lock owner a write passes to the masters.</summary>
internal static class LockChecks
{
    /// <summary>
    /// The owner of the token in <paramref name="header"/>, after checking that its lease holds the path's lock when the
    /// path is locked (a token for another path or an ended lease is refused); null without a token.
    /// </summary>
    /// <exception cref="ApiProblemException">400 for a malformed token, 423 for a token that does not hold the lock.</exception>
    public static async Task<string?> OwnerAsync(IMetadataService metadata, string path, string? header, CancellationToken cancellationToken)
    {
        if (LockToken.Parse(header) is not { } token)
        {
            return null;
        }
        var queue = await metadata.LockQueueAsync(path, cancellationToken);
        if (queue.Count > 0 && (queue[0].ClientId != token.Owner || queue[0].LeaseId != token.LeaseId))
        {
            throw ApiProblemException.Locked($"{path} is locked by {queue[0].ClientId}; the token given does not hold its lock (it may have expired).");
        }
        return token.Owner;
    }
}
