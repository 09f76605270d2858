using System.Buffers;
using System.IO.Pipelines;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using IReplicatedState = Dfs.Raft.Consensus.IReplicatedState;
using IStateMachine = Dfs.Raft.Consensus.IStateMachine;

namespace Dfs.Raft.DotNext;

/// <summary>
/// Our replicated state under DotNext's <see cref="WriteAheadLog"/>: each committed entry's bytes (the same
/// <c>CommandEnvelope</c> bytes our own engine logs) go to <see cref="IStateMachine.Apply"/>, and DotNext's snapshot
/// files hold what <see cref="IReplicatedState.CaptureSnapshot"/> writes.
/// </summary>
/// <remarks>
/// DotNext applies entries on one background task; reads take the same gate, so a read sees the state between two
/// entries, never during one. A snapshot's state is captured under the gate at the entry that asks for it and written
/// out on another task while applying goes on (DotNext runs <see cref="PersistAsync"/> concurrently with later applies).
/// </remarks>
internal sealed class DotNextStateMachine : SimpleStateMachine
{
    private readonly IStateMachine _state;
    private readonly long _snapshotThreshold;
    private readonly Lock _gate = new();
    private long _appliedIndex;
    private long _appliedTerm;
    private long _lastSnapshotIndex;
    private Action<Stream>? _captured;

    public DotNextStateMachine(DirectoryInfo location, IStateMachine state, long snapshotThreshold)
        : base(location)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshotThreshold, 1);
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _snapshotThreshold = snapshotThreshold;
    }

    /// <summary>The last index applied to the state (or restored from a snapshot).</summary>
    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>The index of the last snapshot this replica took or installed.</summary>
    public long SnapshotIndex => Volatile.Read(ref _lastSnapshotIndex);

    /// <summary>Runs <paramref name="read"/> between two applied entries.</summary>
    public T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        var proposal = entry.Context as DotNextProposal;
        if (!entry.TryGetPayload(out var payload) || payload.IsEmpty)
        {
            // The leader's no-op entry of a new term (and configuration entries): nothing for the state machine.
            Advance(entry.Index, entry.Term);
            proposal?.Replaced();
            return new(false);
        }
        bool snapshot;
        ReadOnlyMemory<byte> result;
        lock (_gate)
        {
            result = payload.IsSingleSegment
                ? _state.Apply(entry.Index, payload.FirstSpan)
                : ApplyCopy(entry.Index, payload);
            Advance(entry.Index, entry.Term);
            snapshot = entry.Index - _lastSnapshotIndex >= _snapshotThreshold;
            if (snapshot)
            {
                // DotNext writes the snapshot while it applies later entries, so the state is captured here, as of this entry.
                _captured = _state.CaptureSnapshot();
                Volatile.Write(ref _lastSnapshotIndex, entry.Index);
            }
        }
        if (proposal is not null)
        {
            // The context stays keyed by index in DotNext's log even when a new leader overwrites that index, so the
            // result belongs to the proposal only if the entry is still the one it appended (same term).
            if (proposal.Term == entry.Term)
            {
                proposal.Applied(result);
            }
            else
            {
                proposal.Replaced();
            }
        }
        return new(snapshot);
    }

    private ReadOnlyMemory<byte> ApplyCopy(long index, ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(buffer);
            return _state.Apply(index, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Advance(long index, long term)
    {
        Volatile.Write(ref _appliedIndex, index);
        Volatile.Write(ref _appliedTerm, term);
    }

    protected override async ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        var write = Interlocked.Exchange(ref _captured, null) ?? throw new InvalidOperationException("No captured state to persist.");
        // The captured writer is synchronous and streams; a pipe hands its output to DotNext's asynchronous writer without
        // holding the whole snapshot in memory.
        var pipe = new Pipe();
        var producer = Task.Run(() =>
        {
            using var stream = pipe.Writer.AsStream();
            write(stream);
        }, token);
        try
        {
            await using var source = pipe.Reader.AsStream();
            await writer.CopyFromAsync(source, token: token);
        }
        finally
        {
            await producer;
        }
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        await using var stream = new FileStream(snapshotFile.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var index = long.Parse(snapshotFile.Name.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _state.RestoreSnapshot(stream);
            Volatile.Write(ref _appliedIndex, index);
            Volatile.Write(ref _lastSnapshotIndex, index);
        }
    }
}
