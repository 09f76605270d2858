using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    /// <summary>
    /// The host durably took a snapshot through <paramref name="metadata"/>.Index; the core drops the entries it
    /// covers from memory and sends it to followers that need what was dropped.
    /// </summary>
    public void ReportSnapshot(SnapshotMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Index <= _log.SnapshotIndex)
        {
            return;
        }
        if (metadata.Index > _applied || _log.TryTerm(metadata.Index) != metadata.Term)
        {
            throw new ArgumentException(
                $"{Id}: snapshot at {metadata.Index} (term {metadata.Term}) does not match the log " +
                $"(applied {_applied}, term there {_log.TryTerm(metadata.Index)?.ToString() ?? "unknown"}).",
                nameof(metadata));
        }
        _log.CompactThrough(metadata.Index, metadata.Term);
        _snapshot = metadata;
    }

    /// <summary>Sends the latest snapshot to a follower that needs entries before the log's start.</summary>
    private bool SendSnapshot(string peer, FollowerProgress progress)
    {
        if (_snapshot is null)
        {
            return false;
        }
        _messages.Add(new InstallSnapshot(Id, peer, _term, _snapshot, null));
        progress.BecomeSnapshot(_snapshot.Index);
        return true;
    }

    private void HandleInstallSnapshot(InstallSnapshot install)
    {
        if (_role == RaftRole.Leader)
        {
            return;
        }
        if (_role != RaftRole.Follower || _leaderId != install.From)
        {
            BecomeFollower(_term, install.From);
        }
        _electionElapsed = 0;

        var metadata = install.Metadata;
        if (metadata.Index <= _commit)
        {
            // Nothing new: the committed prefix already covers it.
            _messagesAfterPersist.Add(new InstallSnapshotResponse(Id, install.From, _term, true, _commit));
            return;
        }
        if (install.Payload is null)
        {
            // The host must attach the bytes; without them there is nothing to install.
            return;
        }

        var matches = _log.TryTerm(metadata.Index) == metadata.Term;
        // The stored log keeps what follows the snapshot only if it already holds the snapshot's last entry.
        // Resetting it would drop entries this node acknowledged as durable until they were written again,
        // and a crash in between would leave the leader believing in a match the follower no longer has.
        var keepsStoredLog = matches && _handedOutIndex >= metadata.Index;
        if (matches)
        {
            // Figure 13: the log holds the snapshot's last entry, so what follows it is kept.
            _log.CompactThrough(metadata.Index, metadata.Term);
        }
        else
        {
            _log.Reset(metadata.Index, metadata.Term);
        }
        _snapshot = metadata;
        _pendingSnapshot = new ReceivedSnapshot(metadata, install.Payload, keepsStoredLog);
        _commit = metadata.Index;
        _applied = metadata.Index;
        if (!keepsStoredLog)
        {
            // The host resets its log behind the snapshot: any suffix kept in memory is handed out again after it.
            _handedOutIndex = metadata.Index;
            _persistedIndex = Math.Min(_persistedIndex, metadata.Index);
        }
        RecomputeConfiguration();
        _messagesAfterPersist.Add(new InstallSnapshotResponse(Id, install.From, _term, true, metadata.Index));
    }

    private void HandleInstallSnapshotResponse(InstallSnapshotResponse response)
    {
        if (_role != RaftRole.Leader || !_progress.TryGetValue(response.From, out var progress))
        {
            return;
        }
        progress.RecentActive = true;
        if (progress.State != ProgressState.Snapshot)
        {
            return;
        }
        if (response.Success && response.LastIndex > progress.Match)
        {
            progress.Match = response.LastIndex;
            MaybeCommit();
        }
        progress.BecomeProbe(progress.Match + 1);
        _replicationPending = true;
    }
}
