using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    /// <summary>True when <see cref="GetReady"/> has something for the host.</summary>
    /// <remarks>A leader first turns what was proposed since the last Ready into messages (batching).</remarks>
    public bool HasReady
    {
        get
        {
            FlushLeader();
            return _messages.Count > 0 || _messagesAfterPersist.Count > 0 || _readStates.Count > 0 ||
                _pendingSnapshot is not null || _handedOutIndex < _log.LastIndex ||
                _applied < Math.Min(_commit, _handedOutIndex) ||
                !CurrentHardState().Equals(_lastHardState) || !CurrentSoftState().Equals(_lastSoftState);
        }
    }

    /// <summary>Everything pending since the last Ready. Call <see cref="Advance"/> once the host has handled it.</summary>
    public Ready GetReady()
    {
        FlushLeader();

        IReadOnlyList<LogEntry> entries = _handedOutIndex < _log.LastIndex
            ? _log.Slice(_handedOutIndex + 1, _log.LastIndex, long.MaxValue)
            : [];
        _handedOutIndex = _log.LastIndex;

        // Committed entries are handed out only once they were in some Ready's Entries (this one included):
        // the host persists a Ready before applying it.
        var applyLimit = Math.Min(_commit, _handedOutIndex);
        IReadOnlyList<LogEntry> committed = [];
        if (_applied < applyLimit)
        {
            committed = _log.Slice(Math.Max(_applied + 1, _log.FirstIndex), applyLimit, long.MaxValue);
            _applied = applyLimit;
        }

        var hardState = CurrentHardState();
        HardState? changedHardState = null;
        if (!hardState.Equals(_lastHardState))
        {
            changedHardState = hardState;
            _lastHardState = hardState;
        }
        var softState = CurrentSoftState();
        SoftState? changedSoftState = null;
        if (!softState.Equals(_lastSoftState))
        {
            changedSoftState = softState;
            _lastSoftState = softState;
        }

        var ready = new Ready
        {
            SoftState = changedSoftState,
            HardState = changedHardState,
            Entries = entries,
            Snapshot = _pendingSnapshot,
            Messages = Take(_messages),
            MessagesAfterPersist = Take(_messagesAfterPersist),
            CommittedEntries = committed,
            ReadStates = _readStates.Count == 0 ? [] : _readStates.ToArray(),
        };
        _readStates.Clear();
        _pendingSnapshot = null;
        return ready;
    }

    /// <summary>The host has done everything <paramref name="ready"/> asked, in order (persisted, sent, applied).</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.Snapshot is not null && ready.Snapshot.Metadata.Index <= _log.SnapshotIndex)
        {
            _persistedIndex = Math.Max(_persistedIndex, Math.Min(ready.Snapshot.Metadata.Index, _handedOutIndex));
        }
        if (ready.Entries.Count > 0)
        {
            // A truncation after this Ready was taken lowered the handed-out index: what it replaced is not durable.
            _persistedIndex = Math.Max(_persistedIndex, Math.Min(ready.Entries[^1].Index, _handedOutIndex));
        }
        MaybeCommit();
    }

    private HardState CurrentHardState() => new(_term, _votedFor, Math.Min(_commit, Math.Max(_handedOutIndex, _log.SnapshotIndex)));

    private SoftState CurrentSoftState() => new(_role, _leaderId, _term);

    private static RaftMessage[] Take(List<RaftMessage> messages)
    {
        if (messages.Count == 0)
        {
            return [];
        }
        var taken = messages.ToArray();
        messages.Clear();
        return taken;
    }
}
