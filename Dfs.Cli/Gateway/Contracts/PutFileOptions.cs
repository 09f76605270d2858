namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The optional headers of an upload.</summary>
/// <param name="ContentType">Kept with the version; the gateway's default is <c>application/octet-stream</c>.</param>
/// <param name="IfMatch">The ETag the current version must have (412 otherwise).</param>
/// <param name="IfNoneMatchAny">Fail with 412 if the file exists.</param>
/// <param name="LockToken">The token of the lock held on the path.</param>
public sealed record PutFileOptions(string? ContentType = null, string? IfMatch = null, bool IfNoneMatchAny = false, string? LockToken = null);
