using Dfs.Client.Kv;
using Dfs.Common.Keys;
using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Kv;

/// <summary>
/// The replicated key-value store as a Raft state machine under the session layer: Apply decodes a <see cref="KvCommand"/>,
/// runs it at the time of its log entry (leases expire by that time) and returns the encoded <see cref="KvResult"/>;
/// snapshots hold the whole store, its clock included. Also serves reads (after the caller
/// has passed a linearizable read barrier such as ReadIndex): <see cref="Get"/>, <see cref="Range"/>, <see cref="Revision"/>.
/// </summary>
/// <remarks>
/// Thread-safety: Apply, WriteSnapshot and RestoreSnapshot come from one thread at a time (the Raft host's apply
/// loop); reads may come from any number of other threads. A <see cref="ReaderWriterLockSlim"/> lets reads run
/// together and excludes them only while a command or a restore runs. Stored records are immutable (a write builds
/// a new one), so what a read returns are views over them that stay valid and unchanged after the lock is released,
/// with no copying; and a snapshot captures the record references under the read lock and streams them outside it.
/// </remarks>
public sealed class KvStateMachine : ITimedStateMachine, IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private KvStore _store = new();
    private long _appliedIndex;

    /// <summary>The store revision: the revision of the last change (0 before any).</summary>
    public long Revision
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _store.Revision;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>The index of the last log entry applied (or restored from a snapshot).</summary>
    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>Keys held.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _store.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>The store's clock: the highest entry time applied so far.</summary>
    public long NowMs
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _store.NowMs;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Never throws for a bad command: malformed or invalid commands return an error result and change nothing.</remarks>
    public ReadOnlyMemory<byte> Apply(long index, long timestampMs, ReadOnlySpan<byte> command) =>
        KvResultCodec.Encode(ApplyCommand(index, timestampMs, command));

    /// <summary>Applies an encoded command and returns its result without encoding it.</summary>
    public KvResult ApplyCommand(long index, long timestampMs, ReadOnlySpan<byte> command)
    {
        KvCommand decoded;
        try
        {
            decoded = command.Length <= KvLimits.MaxCommandBytes
                ? KvCommandCodec.Decode(command)
                : throw new KvValidationException($"The command is {command.Length} bytes; the limit is {KvLimits.MaxCommandBytes} bytes.");
        }
        catch (Exception e) when (e is KvFormatException or KvValidationException)
        {
            _lock.EnterWriteLock();
            try
            {
                _appliedIndex = Math.Max(_appliedIndex, index);
                var status = e is KvFormatException ? KvStatus.MalformedCommand : KvStatus.InvalidArgument;
                return KvResult.Failure(status, e.Message, _store.Revision);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        _lock.EnterWriteLock();
        try
        {
            var result = _store.Execute(decoded, timestampMs);
            _appliedIndex = Math.Max(_appliedIndex, index);
            return result;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The key-value at <paramref name="key"/>, or null when absent.</summary>
    /// <exception cref="KvValidationException">The key is empty or over the limit.</exception>
    public KvKeyValue? Get(ReadOnlySpan<byte> key)
    {
        _lock.EnterReadLock();
        try
        {
            return _store.Get(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// The keys in [<paramref name="start"/>, <paramref name="end"/>) in order (empty end = no upper bound), at most
    /// <paramref name="limit"/> (0 = all), with whether more lay beyond the limit and the revision read at.
    /// </summary>
    public KvRangeResult Range(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit = 0)
    {
        _lock.EnterReadLock();
        try
        {
            return _store.Range(start, end, limit);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The keys starting with <paramref name="prefix"/>, in order, at most <paramref name="limit"/> (0 = all).</summary>
    public KvRangeResult RangePrefix(ReadOnlySpan<byte> prefix, int limit = 0) => Range(prefix, KeyRanges.PrefixEnd(prefix), limit);

    /// <summary>The lease <paramref name="leaseId"/> as it stands, or null.</summary>
    public KvLeaseInfo? GetLease(long leaseId)
    {
        _lock.EnterReadLock();
        try
        {
            return _store.GetLease(leaseId);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination) => CaptureSnapshot()(destination);

    /// <inheritdoc />
    /// <remarks>Records never change once stored, so the capture only copies the index under the read lock; the bytes stream later.</remarks>
    public Action<Stream> CaptureSnapshot()
    {
        KvStore.SnapshotCapture capture;
        long appliedIndex;
        _lock.EnterReadLock();
        try
        {
            capture = _store.Capture();
            appliedIndex = _appliedIndex;
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return destination => capture.WriteTo(destination, appliedIndex);
    }

    /// <inheritdoc />
    /// <remarks>The snapshot is read and checked in full before it replaces anything: a bad snapshot throws <see cref="InvalidDataException"/> and leaves the state as it was.</remarks>
    public void RestoreSnapshot(Stream source)
    {
        var restored = KvStore.ReadSnapshot(source, out var appliedIndex);
        _lock.EnterWriteLock();
        try
        {
            _store = restored;
            _appliedIndex = appliedIndex;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Dispose() => _lock.Dispose();
}
