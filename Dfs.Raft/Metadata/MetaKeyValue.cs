using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>A key with its value and revisions, as the metadata schema reads it.</summary>
/// <param name="Key">The key bytes.</param>
/// <param name="Value">The value bytes.</param>
/// <param name="CreateRevision">The revision that created this incarnation of the key.</param>
/// <param name="ModRevision">The revision of the key's last change.</param>
/// <param name="Version">Writes since the key was created (1 after the create).</param>
/// <param name="LeaseId">The lease the key is attached to, or 0.</param>
public sealed record MetaKeyValue(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    long CreateRevision,
    long ModRevision,
    long Version,
    long LeaseId);
