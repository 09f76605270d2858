namespace Dfs.Raft.Consensus.Messages;

/// <summary>A message between two members of a Raft group. Every message carries its sender's term.</summary>
public abstract record RaftMessage(string From, string To, long Term);

/// <summary>
/// A request for a vote. With <see cref="PreVote"/> set it asks "would you vote for me in <c>Term</c>?"
/// without anyone changing term (thesis §9.6), so a node back from a partition cannot depose a healthy leader.
/// </summary>
/// <param name="LastLogIndex">The candidate's last log index.</param>
/// <param name="LastLogTerm">The term of that entry.</param>
/// <param name="PreVote">A pre-vote: the receiver neither adopts the term nor records a vote.</param>
/// <param name="LeadershipTransfer">Sent on a leader's <see cref="TimeoutNow"/>: receivers grant it even while they hear from a leader.</param>
public sealed record RequestVote(string From, string To, long Term, long LastLogIndex, long LastLogTerm, bool PreVote, bool LeadershipTransfer)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="RequestVote"/>.</summary>
public sealed record RequestVoteResponse(string From, string To, long Term, bool PreVote, bool Granted)
    : RaftMessage(From, To, Term);

/// <summary>
/// Log replication, and the heartbeat when <see cref="Entries"/> is empty. The receiver accepts only if its
/// log holds an entry at <see cref="PrevLogIndex"/> with term <see cref="PrevLogTerm"/>.
/// </summary>
/// <param name="ReadContext">
/// A leader-assigned number echoed in the response; a majority of echoes ≥ n confirms the leader was
/// still leader when read n was asked for (ReadIndex, thesis §6.4). 0 when unused.
/// </param>
public sealed record AppendEntries(string From, string To, long Term, long PrevLogIndex, long PrevLogTerm,
    IReadOnlyList<LogEntry> Entries, long LeaderCommit, long ReadContext)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="AppendEntries"/>.</summary>
/// <param name="Success">The consistency check passed and the entries are durable on the sender.</param>
/// <param name="MatchIndex">On success, <c>PrevLogIndex + Entries.Count</c> of the request being answered.</param>
/// <param name="RejectedIndex">On failure, the request's <c>PrevLogIndex</c>, so stale rejections can be told apart.</param>
/// <param name="HintIndex">On failure, where the leader should probe next: the follower's last index, or the first index of the conflicting term.</param>
/// <param name="HintTerm">On failure, the term of the follower's entry at <paramref name="HintIndex"/> (0 if none), for skipping a whole term at once.</param>
/// <param name="ReadContext">Echo of the request's read context.</param>
public sealed record AppendEntriesResponse(string From, string To, long Term, bool Success, long MatchIndex,
    long RejectedIndex, long HintIndex, long HintTerm, long ReadContext)
    : RaftMessage(From, To, Term);

/// <summary>
/// Sends a follower that is behind the leader's compacted log the leader's whole snapshot.
/// The core emits it with <see cref="Payload"/> null; the host attaches the bytes of the snapshot that
/// <see cref="Metadata"/> names before sending.
/// </summary>
public sealed record InstallSnapshot(string From, string To, long Term, SnapshotMetadata Metadata, SnapshotPayload? Payload)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="InstallSnapshot"/>: the follower's log now ends at <see cref="LastIndex"/>.</summary>
public sealed record InstallSnapshotResponse(string From, string To, long Term, bool Success, long LastIndex)
    : RaftMessage(From, To, Term);

/// <summary>A leader handing over tells its chosen successor to start an election at once (thesis §3.10).</summary>
public sealed record TimeoutNow(string From, string To, long Term)
    : RaftMessage(From, To, Term);
