namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    // Leader: the highest read context assigned; every AppendEntries carries it.
    private long _readContext;

    // Leader: a new read batch needs a heartbeat round.
    private bool _readRoundPending;

    /// <summary>True once the leader has committed an entry of its own term (it then knows the commit index).</summary>
    private bool CommittedInCurrentTerm => _log.TryTerm(_commit) == _term;

    /// <summary>
    /// Asks for a linearizable read (ReadIndex, thesis §6.4). The confirmation comes as a
    /// <see cref="ReadState"/> with <paramref name="requestId"/> in a later Ready.
    /// </summary>
    /// <returns>False unless this node is the leader.</returns>
    public bool RequestRead(long requestId)
    {
        if (_role != RaftRole.Leader)
        {
            return false;
        }
        _reads.Add(requestId, CommittedInCurrentTerm ? _commit : -1);
        return true;
    }

    /// <summary>Forms a batch of waiting reads once the leader knows its commit index, and starts its heartbeat round.</summary>
    private void AssignReadBatch()
    {
        if (!_reads.HasUnassigned || !CommittedInCurrentTerm)
        {
            return;
        }
        _readContext++;
        _reads.AssignBatch(_readContext, _commit);
        _readRoundPending = true;
        ReleaseReads();
    }

    /// <summary>Releases every read batch a quorum (this leader included) has echoed.</summary>
    private void ReleaseReads()
    {
        if (_reads.Count == 0)
        {
            return;
        }
        var voters = _configuration.Voters;
        var acks = new long[voters.Count];
        for (var i = 0; i < voters.Count; i++)
        {
            acks[i] = voters[i] == Id
                ? _readContext
                : _progress.TryGetValue(voters[i], out var progress) ? progress.AckedReadContext : 0;
        }
        Array.Sort(acks);
        _reads.Release(acks[voters.Count - _configuration.Quorum], _readStates);
    }
}
