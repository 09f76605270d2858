namespace Dfs.Client.Kv;

/// <summary>A key with its value and its revisions, as read from the store.</summary>
/// <param name="Key">The key bytes.</param>
/// <param name="Value">The value bytes.</param>
/// <param name="CreateRevision">The store revision at which this incarnation of the key was created.</param>
/// <param name="ModRevision">The store revision of the key's last change.</param>
/// <param name="Version">How many times the key was written since it was created (1 after the create).</param>
/// <param name="LeaseId">The lease the key is attached to, or 0.</param>
/// <remarks>Key and value may be views over the store's own immutable records: they never change, and must not be written to.</remarks>
public sealed record KvKeyValue(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    long CreateRevision,
    long ModRevision,
    long Version,
    long LeaseId);
