using Dfs.Raft.Consensus.Hosting;

namespace Dfs.Raft.Master;

/// <summary>Tells when the leader a master knows of changes, whichever consensus backend it runs on.</summary>
public interface IMasterLeadership
{
    /// <summary>Raised when the known leader changes; handlers must return quickly.</summary>
    event EventHandler<LeaderChangedEventArgs>? LeaderChanged;
}
