namespace Dfs.Raft.Metadata.Service;

/// <summary>A single store that always leads (in-process use and tests).</summary>
public sealed class AlwaysLeader : IMetadataLeadership
{
    public static AlwaysLeader Instance { get; } = new();

    public bool IsLeader => true;

    public void ThrowIfNotLeader()
    {
    }
}
