namespace Dfs.Raft.Consensus;

/// <summary>How a leader is replicating to one follower.</summary>
internal enum ProgressState : byte
{
    /// <summary>The follower's log position is unknown: one message at a time until one succeeds.</summary>
    Probe = 0,

    /// <summary>The follower matches: messages stream optimistically, up to the in-flight limit.</summary>
    Replicate = 1,

    /// <summary>A snapshot is on its way; nothing else is sent until it is answered.</summary>
    Snapshot = 2,
}

/// <summary>A leader's view of one follower: matched index, next index to send, and what is in flight.</summary>
internal sealed class FollowerProgress(long next, int maxInflight)
{
    // Last index of each AppendEntries in flight, oldest first.
    private readonly Queue<long> _inflight = new();

    /// <summary>Highest index known to be durable on the follower.</summary>
    public long Match { get; set; }

    /// <summary>Next index to send.</summary>
    public long Next { get; set; } = next;

    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In probe state: a probe is out and unanswered.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; } = true;

    /// <summary>In snapshot state: the index of the snapshot sent.</summary>
    public long PendingSnapshotIndex { get; private set; }

    /// <summary>Highest read context the follower echoed in this term.</summary>
    public long AckedReadContext { get; set; }

    /// <summary>Ticks since the follower last made progress while something was outstanding.</summary>
    public int StalledTicks { get; set; }

    public int InflightCount => _inflight.Count;

    /// <summary>The leader's commit index the follower is being timed against while it is behind (0 when it is not).</summary>
    public long CatchUpTarget { get; private set; }

    /// <summary>Ticks spent behind <see cref="CatchUpTarget"/> while answering the leader.</summary>
    public int TicksBehind { get; private set; }

    /// <summary>
    /// One leader tick: times how long the follower has been behind the commit index. The clock restarts
    /// whenever the follower reaches the commit index it was behind, so a follower that keeps up under load (always
    /// a little behind a moving commit index) never accumulates; ticks while it does not answer are not counted,
    /// as an unreachable follower is a network matter, not a follower that cannot catch up.
    /// </summary>
    public void TrackCatchUp(long commit)
    {
        if (Match >= commit)
        {
            CatchUpTarget = 0;
            TicksBehind = 0;
        }
        else if (CatchUpTarget == 0 || Match >= CatchUpTarget)
        {
            CatchUpTarget = commit;
            TicksBehind = 0;
        }
        else if (RecentActive)
        {
            TicksBehind++;
        }
    }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => _inflight.Count >= maxInflight,
        _ => true,
    };

    public void BecomeProbe(long next)
    {
        State = ProgressState.Probe;
        Next = Math.Max(next, Match + 1);
        ProbeSent = false;
        StalledTicks = 0;
        _inflight.Clear();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        ProbeSent = false;
        StalledTicks = 0;
        _inflight.Clear();
    }

    public void BecomeSnapshot(long snapshotIndex)
    {
        State = ProgressState.Snapshot;
        PendingSnapshotIndex = snapshotIndex;
        StalledTicks = 0;
        _inflight.Clear();
    }

    /// <summary>Records an AppendEntries whose last entry is <paramref name="lastIndex"/>.</summary>
    public void SentEntries(long lastIndex)
    {
        if (State == ProgressState.Replicate)
        {
            Next = lastIndex + 1;
            _inflight.Enqueue(lastIndex);
        }
        else if (State == ProgressState.Probe)
        {
            ProbeSent = true;
        }
    }

    /// <summary>The follower acknowledged through <paramref name="index"/>: every message ending there or before is no longer in flight.</summary>
    public void FreeThrough(long index)
    {
        while (_inflight.Count > 0 && _inflight.Peek() <= index)
        {
            _inflight.Dequeue();
        }
    }

    public void FreeFirst()
    {
        if (_inflight.Count > 0)
        {
            _inflight.Dequeue();
        }
    }
}
