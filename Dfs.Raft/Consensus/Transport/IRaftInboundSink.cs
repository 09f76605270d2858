using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>Where <see cref="RaftConnectionHandler"/> hands the messages it reads: the local node's transport.</summary>
public interface IRaftInboundSink
{
    /// <summary>Folder for snapshots received too large to hold in memory.</summary>
    string SnapshotDirectory { get; }

    /// <summary>Received snapshots up to this many bytes are held in memory; larger ones go to a file in <see cref="SnapshotDirectory"/>.</summary>
    int InMemorySnapshotLimit { get; }

    /// <summary>Takes one inbound message; must not block.</summary>
    void Deliver(RaftMessage message);
}
