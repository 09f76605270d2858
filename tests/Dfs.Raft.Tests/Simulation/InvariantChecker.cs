using Dfs.Raft.Consensus;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// Checks the Raft safety properties (Raft paper Figure 3) and the client-visible promises on what a
/// simulation observes. Fed plain data, so hand-made histories can test it too.
/// </summary>
/// <remarks>
/// An entry counts as committed in term T when a leader of term T is seen with a commit index covering
/// it; leader completeness is then checked for leaders of later terms only, which is exactly the Raft
/// theorem (a stale leader of an older term may legitimately lack it).
/// </remarks>
public sealed class InvariantChecker
{
    public const string ElectionSafety = "election safety";
    public const string LogMatching = "log matching";
    public const string LeaderCompleteness = "leader completeness";
    public const string StateMachineSafety = "state machine safety";
    public const string ApplyOrder = "apply order";
    public const string SnapshotAgreement = "snapshot agreement";
    public const string Durability = "durability";
    public const string ExactlyOnce = "exactly once";
    public const string LinearizableRead = "linearizable read";
    public const string ReplicaAgreement = "replica agreement";
    public const string Liveness = "liveness";
    public const string HostContract = "host contract";

    private readonly Func<long> _clock;
    private readonly List<Violation> _violations = [];
    private readonly Dictionary<long, string> _leaderByTerm = [];
    private readonly Dictionary<long, CommittedEntry> _committed = [];
    private readonly Dictionary<string, long> _nextApply = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ulong> _snapshotDigests = [];
    private readonly Dictionary<string, Acknowledgement> _acknowledged = new(StringComparer.Ordinal);
    private readonly HashSet<string> _invoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _maxAckedLength = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _maxReadLength = new(StringComparer.Ordinal);
    private readonly List<(string Key, string[] List)> _reads = [];

    public InvariantChecker(Func<long>? clock = null) => _clock = clock ?? (() => 0);

    public IReadOnlyList<Violation> Violations => _violations;

    public bool Failed => _violations.Count > 0;

    /// <summary>Highest index known committed.</summary>
    public long MaxCommittedIndex { get; private set; }

    public int LeadersSeen => _leaderByTerm.Count;

    public int AcknowledgedWrites => _acknowledged.Count;

    public int CompletedReads => _reads.Count;

    public void Report(string invariant, string detail) => _violations.Add(new Violation(invariant, _clock(), detail));

    // ---- Raft level ----

    /// <summary>A node is leader in a term. Returns true the first time this (term, node) is seen.</summary>
    public bool ObserveLeader(string nodeId, long term)
    {
        if (_leaderByTerm.TryGetValue(term, out var existing))
        {
            if (existing != nodeId)
            {
                Report(ElectionSafety, $"two leaders in term {term}: {existing} and {nodeId}");
            }
            return false;
        }
        _leaderByTerm.Add(term, nodeId);
        return true;
    }

    /// <summary>A leader of <paramref name="term"/> has a commit index covering <paramref name="entries"/> (contiguous, new to the checker or not).</summary>
    public void ObserveLeaderCommit(string leaderId, long term, IReadOnlyList<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (_committed.TryGetValue(entry.Index, out var known))
            {
                if (!SameEntry(known.Entry, entry))
                {
                    Report(StateMachineSafety,
                        $"leader {leaderId} (term {term}) commits {Describe(entry)} but {Describe(known.Entry)} was committed at that index in term {known.CommitTerm}");
                }
                continue;
            }
            _committed.Add(entry.Index, new CommittedEntry(entry, term));
            MaxCommittedIndex = Math.Max(MaxCommittedIndex, entry.Index);
        }
    }

    /// <summary>
    /// Checks that a leader's log holds every entry committed in an earlier term. <paramref name="log"/>
    /// starts at <paramref name="firstIndex"/> (entries before it are in the leader's snapshot).
    /// </summary>
    public void CheckLeaderCompleteness(string leaderId, long term, long firstIndex, IReadOnlyList<LogEntry> log)
    {
        var lastIndex = firstIndex + log.Count - 1;
        foreach (var (index, committed) in _committed)
        {
            if (committed.CommitTerm >= term || index < firstIndex)
            {
                continue;
            }
            if (index > lastIndex)
            {
                Report(LeaderCompleteness,
                    $"leader {leaderId} of term {term} lacks {Describe(committed.Entry)} committed in term {committed.CommitTerm} (its log ends at {lastIndex})");
                return;
            }
            var own = log[(int)(index - firstIndex)];
            if (!SameEntry(own, committed.Entry))
            {
                Report(LeaderCompleteness,
                    $"leader {leaderId} of term {term} has {Describe(own)} where {Describe(committed.Entry)} was committed in term {committed.CommitTerm}");
                return;
            }
        }
    }

    /// <summary>
    /// Log matching: if two logs hold an entry with the same index and term, they are identical up to it.
    /// Each log is (first index, entries).
    /// </summary>
    public void CheckLogMatching(IReadOnlyDictionary<string, (long FirstIndex, IReadOnlyList<LogEntry> Entries)> logs)
    {
        var ids = logs.Keys.Order(StringComparer.Ordinal).ToArray();
        for (var a = 0; a < ids.Length; a++)
        {
            for (var b = a + 1; b < ids.Length; b++)
            {
                var (firstA, logA) = logs[ids[a]];
                var (firstB, logB) = logs[ids[b]];
                var from = Math.Max(firstA, firstB);
                var to = Math.Min(firstA + logA.Count - 1, firstB + logB.Count - 1);
                // The highest common index where the terms agree: everything below must be identical.
                var agreeAt = -1L;
                for (var i = to; i >= from; i--)
                {
                    if (logA[(int)(i - firstA)].Term == logB[(int)(i - firstB)].Term)
                    {
                        agreeAt = i;
                        break;
                    }
                }
                for (var i = from; i <= agreeAt; i++)
                {
                    var x = logA[(int)(i - firstA)];
                    var y = logB[(int)(i - firstB)];
                    if (!SameEntry(x, y))
                    {
                        Report(LogMatching,
                            $"{ids[a]} and {ids[b]} agree at index {agreeAt} (term {logA[(int)(agreeAt - firstA)].Term}) but differ at {i}: {Describe(x)} vs {Describe(y)}");
                        return;
                    }
                }
            }
        }
    }

    /// <summary>A node's state machine now starts after <paramref name="appliedIndex"/> (boot, or a snapshot restored).</summary>
    public void ObserveStateMachineReset(string nodeId, long appliedIndex, bool fromReceivedSnapshot)
    {
        if (fromReceivedSnapshot && _nextApply.TryGetValue(nodeId, out var next) && appliedIndex < next - 1)
        {
            Report(ApplyOrder, $"{nodeId} installed a snapshot at {appliedIndex}, rolling back its state machine from {next - 1}");
        }
        _nextApply[nodeId] = appliedIndex + 1;
    }

    /// <summary>A node applied an entry: it must be the next index, and the entry committed there.</summary>
    public void ObserveApplied(string nodeId, LogEntry entry)
    {
        var next = _nextApply.TryGetValue(nodeId, out var n) ? n : 1;
        if (entry.Index != next)
        {
            Report(ApplyOrder, $"{nodeId} applied index {entry.Index} but its next index to apply was {next}");
        }
        _nextApply[nodeId] = entry.Index + 1;
        if (_committed.TryGetValue(entry.Index, out var committed))
        {
            if (!SameEntry(committed.Entry, entry))
            {
                Report(StateMachineSafety, $"{nodeId} applied {Describe(entry)} but {Describe(committed.Entry)} is committed at that index");
            }
        }
        else
        {
            // Applied before any leader was seen committing it (a restarted node's persisted commit index):
            // still every other replica must apply the same entry here.
            _committed.Add(entry.Index, new CommittedEntry(entry, long.MaxValue));
            MaxCommittedIndex = Math.Max(MaxCommittedIndex, entry.Index);
        }
    }

    /// <summary>Snapshots of the same index must be byte-identical (the state machine is deterministic).</summary>
    public void ObserveSnapshot(string nodeId, long index, ulong digest)
    {
        if (_snapshotDigests.TryGetValue(index, out var known))
        {
            if (known != digest)
            {
                Report(SnapshotAgreement, $"{nodeId} wrote a snapshot at {index} that differs from another replica's");
            }
            return;
        }
        _snapshotDigests.Add(index, digest);
    }

    // ---- client level ----

    /// <summary>A client sent a write for the first time.</summary>
    public void ObserveWriteInvoked(string token) => _invoked.Add(token);

    /// <summary>A client saw its write answered: the token is at position <paramref name="length"/> - 1 of the key's list.</summary>
    public void ObserveWriteAcknowledged(string key, string token, long length)
    {
        if (_acknowledged.TryGetValue(token, out var earlier))
        {
            if (earlier.Length != length || earlier.Key != key)
            {
                Report(ExactlyOnce, $"write {token} acknowledged twice with different results ({earlier.Length}, {length})");
            }
            return;
        }
        _acknowledged.Add(token, new Acknowledgement(key, length));
        _maxAckedLength[key] = Math.Max(_maxAckedLength.GetValueOrDefault(key), length);
    }

    /// <summary>The length a read of <paramref name="key"/> starting now must at least return.</summary>
    public long RequiredReadLength(string key) =>
        Math.Max(_maxAckedLength.GetValueOrDefault(key), _maxReadLength.GetValueOrDefault(key));

    /// <summary>A read that started when <paramref name="required"/> was the required length returned <paramref name="list"/>.</summary>
    public void ObserveReadCompleted(string key, IReadOnlyList<string> list, long required)
    {
        if (list.Count < required)
        {
            Report(LinearizableRead, $"read of {key} returned {list.Count} items but a write or read completed before it started saw {required}");
        }
        _maxReadLength[key] = Math.Max(_maxReadLength.GetValueOrDefault(key), list.Count);
        _reads.Add((key, list.ToArray()));
    }

    /// <summary>
    /// The converged state of the replicas (already compared equal): every acknowledged write is there exactly
    /// once at the position its client was told, nothing appears twice, nothing was invented, and every read
    /// returned a prefix of the final list.
    /// </summary>
    public void CheckFinalState(IReadOnlyDictionary<string, List<string>> lists)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, list) in lists)
        {
            foreach (var token in list)
            {
                if (!seen.TryAdd(token, key))
                {
                    Report(ExactlyOnce, $"write {token} was applied more than once (in {seen[token]} and {key})");
                    return;
                }
                if (!_invoked.Contains(token))
                {
                    Report(ExactlyOnce, $"write {token} was applied but no client ever sent it");
                    return;
                }
            }
        }
        foreach (var (token, ack) in _acknowledged)
        {
            if (!lists.TryGetValue(ack.Key, out var list) || list.Count < ack.Length || list[(int)ack.Length - 1] != token)
            {
                var found = seen.TryGetValue(token, out var where) ? $"found in {where}" : "missing";
                Report(ExactlyOnce, $"acknowledged write {token} is not at position {ack.Length} of {ack.Key} ({found})");
                return;
            }
        }
        foreach (var (key, read) in _reads)
        {
            var list = lists.TryGetValue(key, out var l) ? l : [];
            if (read.Length > list.Count || !read.SequenceEqual(list.Take(read.Length), StringComparer.Ordinal))
            {
                Report(LinearizableRead, $"a read of {key} returned [{string.Join(",", read.TakeLast(4))}] ({read.Length} items), not a prefix of the final list ({list.Count} items)");
                return;
            }
        }
    }

    internal static bool SameEntry(LogEntry a, LogEntry b) =>
        a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Payload.Span.SequenceEqual(b.Payload.Span);

    internal static string Describe(LogEntry e) => $"[{e.Index}@t{e.Term} {e.Kind} {e.Payload.Length}B #{Fnv.Hash(e.Payload.Span) & 0xFFFF:x4}]";

    private sealed record CommittedEntry(LogEntry Entry, long CommitTerm);

    private sealed record Acknowledgement(string Key, long Length);
}
