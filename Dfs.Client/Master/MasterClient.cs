using System.Net.Sockets;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;

namespace Dfs.Client.Master;

/// <summary>
/// The client the gateway, chunk servers and tools use to reach the masters' replicated store: it finds the
/// leader, follows it through failovers, and retries a command with the same client id and sequence number
/// so that the command is applied once however often it is sent (Raft thesis §6.3).
/// </summary>
/// <remarks>
/// Thread-safe; one instance serves many concurrent callers over one connection per master. Disposing closes the
/// connections; calls still in progress then fail with <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class MasterClient : IAsyncDisposable
{
    private readonly MasterClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _slotsLock = new();
    // Key-value commands and file-system operations are remembered apart on the masters (the session table, the
    // metadata answers), so each has its own sequence: a session's first command must start its window at 1 whatever
    // number of metadata operations this client sent before it.
    private readonly SequenceWindow _commands = new();
    private readonly SequenceWindow _metadata = new();
    private Slot[] _slots;
    private Slot _leaderGuess;
    private volatile bool _sessionEstablished;
    private volatile bool _disposed;

    public MasterClient(IReadOnlyList<MasterNodeConfig> masters, MasterClientOptions? options = null)
    {
        if (masters.Count == 0)
        {
            throw new ArgumentException("A master client needs at least one master.", nameof(masters));
        }
        _options = options ?? new MasterClientOptions();
        _options.Validate();
        _time = _options.TimeProvider;
        _slots = masters.Select(m => new Slot(m)).ToArray();
        _leaderGuess = _slots[0];
    }

    /// <summary>This client's session id in the masters' session table.</summary>
    public Guid ClientId { get; } = Guid.NewGuid();

    /// <summary>The master this client last found leading (a guess: it may have changed).</summary>
    public string LeaderGuess => Volatile.Read(ref _leaderGuess).Master.Id;

    /// <summary>The masters this client talks to: config.json's at first, then the group's as <see cref="UpdateMasters"/> last set it.</summary>
    public IReadOnlyList<MasterNodeConfig> Masters => Volatile.Read(ref _slots).Select(s => s.Master).ToArray();

    /// <summary>
    /// Makes <paramref name="masters"/> the masters this client talks to: connections to masters still listed at the same
    /// address are kept, those to masters no longer listed are closed. Calls in progress move to the new list on their next attempt.
    /// </summary>
    /// <returns>Whether the list changed.</returns>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public bool UpdateMasters(IReadOnlyList<MasterNodeConfig> masters)
    {
        ArgumentNullException.ThrowIfNull(masters);
        if (masters.Count == 0)
        {
            throw new ArgumentException("A master client needs at least one master.", nameof(masters));
        }
        Slot[] dropped;
        lock (_slotsLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _slots;
            var next = masters.Select(m => current.FirstOrDefault(s => s.Master.Id == m.Id && s.Master.Host == m.Host && s.Master.RaftPort == m.RaftPort)
                ?? new Slot(m)).ToArray();
            if (next.SequenceEqual(current))
            {
                return false;
            }
            dropped = current.Except(next).ToArray();
            Volatile.Write(ref _slots, next);
            if (!next.Contains(Volatile.Read(ref _leaderGuess)))
            {
                Volatile.Write(ref _leaderGuess, next[0]);
            }
        }
        foreach (var slot in dropped)
        {
            // Closed in the background: a call still holding the connection sees it fail and moves on to a listed master.
            _ = Task.Run(() => CloseAsync(slot));
        }
        return true;
    }

    /// <summary>
    /// Reads the masters' book (<see cref="MasterBook"/>, kept by the leader through membership changes) and, if the store
    /// has one, makes it this client's list (<see cref="UpdateMasters"/>).
    /// </summary>
    /// <returns>Whether the list changed.</returns>
    /// <exception cref="TimeoutException">No leader answered within <see cref="MasterClientOptions.CallTimeout"/>.</exception>
    /// <exception cref="InvalidDataException">The stored book is malformed.</exception>
    public async Task<bool> RefreshMastersAsync(CancellationToken cancellationToken = default)
    {
        var book = await GetAsync(MasterBook.Key, cancellationToken);
        return book is not null && UpdateMasters(MasterBook.Decode(book.Value.Span));
    }

    /// <summary>
    /// Rereads the masters' book every <paramref name="interval"/> (on this client's clock) until cancelled, and calls
    /// <paramref name="changed"/> with the new list each time it changed. A read that fails (no leader in time, a malformed
    /// book) goes to <paramref name="failed"/> and is tried again at the next tick.
    /// </summary>
    public async Task FollowMastersAsync(TimeSpan interval, Func<IReadOnlyList<MasterNodeConfig>, Task> changed, Action<Exception>? failed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                bool updated;
                try
                {
                    updated = await RefreshMastersAsync(cancellationToken);
                }
                catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException or MasterException)
                {
                    failed?.Invoke(e);
                    continue;
                }
                if (updated)
                {
                    await changed(Masters);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public static MasterClient FromConfig(ClusterConfig config, MasterClientOptions? options = null) => new(config.Masters, options);

    /// <summary>Replicates a command exactly once and returns its result.</summary>
    /// <exception cref="MasterException">
    /// The masters refused the command with an error a retry does not cure (<see cref="MasterErrorCode.InvalidArgument"/>,
    /// <see cref="MasterErrorCode.Conflict"/>…); <see cref="MasterException.Code"/> says which.
    /// </exception>
    /// <exception cref="TimeoutException">No leader answered within <see cref="MasterClientOptions.CallTimeout"/>; the command may or may not have been applied.</exception>
    public async Task<KvResult> ExecuteAsync(KvCommand command, CancellationToken cancellationToken = default)
    {
        var encoded = KvCommandCodec.Encode(command);
        // Until one command is known to have reached the log, the session may not exist there yet, and a floor above 1
        // would read as an expired session: keep the floor at 1 until then.
        var (sequence, lowestUnanswered) = _commands.Take(floorAtOne: !_sessionEstablished);
        try
        {
            var result = await CallAsync(MasterRequestKind.Command, sequence, lowestUnanswered, encoded, cancellationToken);
            _sessionEstablished = true;
            return KvResultCodec.Decode(result);
        }
        finally
        {
            _commands.Answered(sequence);
        }
    }

    /// <summary>A linearizable read: a get or a range, served by the leader after a ReadIndex round.</summary>
    public async Task<KvResult> ReadAsync(KvOp read, CancellationToken cancellationToken = default) =>
        KvResultCodec.Decode(await CallAsync(MasterRequestKind.Read, 0, 0, KvCommandCodec.Encode(new KvOpCommand(read)), cancellationToken));

    /// <summary>
    /// Runs an encoded file-system operation (a <see cref="Metadata.Protocol.MetadataRequest"/>) on the leader and returns its encoded
    /// result. A <paramref name="mutating"/> operation carries this client's id and a fresh sequence number, kept through every retry,
    /// so the leader applies it once however often a failover or a lost answer makes it go out again.
    /// </summary>
    /// <exception cref="Metadata.MetadataException">The leader refused the operation; the code names the rule.</exception>
    /// <exception cref="MasterException">The masters refused the request with an error a retry does not cure.</exception>
    /// <exception cref="TimeoutException">No leader answered within <see cref="MasterClientOptions.CallTimeout"/>.</exception>
    public async Task<ReadOnlyMemory<byte>> MetadataAsync(ReadOnlyMemory<byte> request, bool mutating, CancellationToken cancellationToken = default)
    {
        if (!mutating)
        {
            return await CallAsync(MasterRequestKind.Metadata, 0, 0, request, cancellationToken);
        }
        // The masters keep a metadata answer until a later request's floor passes it; no session has to exist first.
        var (sequence, lowestUnanswered) = _metadata.Take(floorAtOne: false);
        try
        {
            return await CallAsync(MasterRequestKind.Metadata, sequence, lowestUnanswered, request, cancellationToken);
        }
        finally
        {
            _metadata.Answered(sequence);
        }
    }

    public Task<KvResult> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        ExecuteAsync(KvCommand.Put(key, value), cancellationToken);

    public Task<KvResult> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        ExecuteAsync(KvCommand.Delete(key), cancellationToken);

    /// <summary>The key's current value and revisions, or null if absent (linearizable).</summary>
    public async Task<KvKeyValue?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        var result = await ReadAsync(KvOp.Get(key), cancellationToken);
        return result.Responses[0].Items.FirstOrDefault();
    }

    /// <summary>Keys under a prefix, in order, at most <paramref name="limit"/> (0 = all) (linearizable).</summary>
    public async Task<KvOpResult> RangeAsync(ReadOnlyMemory<byte> prefix, int limit = 0, CancellationToken cancellationToken = default) =>
        (await ReadAsync(KvOp.Prefix(prefix, limit), cancellationToken)).Responses[0];

    /// <summary>
    /// Asks master <paramref name="masterId"/> itself, leader or not, for its Raft state: one attempt, no retry
    /// elsewhere, for at most <paramref name="timeout"/> (default <see cref="MasterClientOptions.StatusTimeout"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No master of this client is named <paramref name="masterId"/>.</exception>
    /// <exception cref="TimeoutException">The master did not answer in time.</exception>
    /// <exception cref="IOException">The master could not be reached, or the connection to it failed.</exception>
    /// <exception cref="MasterException">The master answered with an error.</exception>
    public async Task<MasterStatus> GetStatusAsync(string masterId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var slot = Find(masterId)
            ?? throw new ArgumentException($"No master {masterId} among {string.Join(", ", Masters.Select(m => m.Id))}.", nameof(masterId));
        ObjectDisposedException.ThrowIf(_disposed, this);
        var limit = timeout ?? _options.StatusTimeout;
        using var attemptTimeout = new CancellationTokenSource(limit, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            var connection = await ConnectionAsync(slot, attempt.Token);
            var response = await connection.SendAsync(MasterRequestKind.Status, ClientId, 0, 0, ReadOnlyMemory<byte>.Empty, attempt.Token);
            if (response.Error is { } error)
            {
                throw error.ToException();
            }
            return MasterStatusCodec.Decode(response.Result.Span);
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await DropConnectionAsync(slot);
            if (e is OperationCanceledException)
            {
                throw new TimeoutException($"{masterId} did not report its status within {limit.TotalMilliseconds:F0} ms.", e);
            }
            throw e as IOException ?? new IOException($"{masterId}: {e.Message}", e);
        }
    }

    private async Task<ReadOnlyMemory<byte>> CallAsync(MasterRequestKind kind, long sequence, long lowestUnanswered, ReadOnlyMemory<byte> command,
        CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var backoff = _options.InitialBackoff;
        var target = Volatile.Read(ref _leaderGuess);
        var lastProblem = "no attempt made";
        var probed = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            var pause = false;
            using (var attemptTimeout = new CancellationTokenSource(_options.AttemptTimeout, _time))
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token))
            {
                try
                {
                    var connection = await ConnectionAsync(target, attempt.Token);
                    var response = await connection.SendAsync(kind, ClientId, sequence, lowestUnanswered, command, attempt.Token);
                    if (response.Error is not { } error)
                    {
                        Volatile.Write(ref _leaderGuess, target);
                        return response.Result;
                    }
                    if (!error.Code.IsRetryable())
                    {
                        throw error.ToException();
                    }
                    if (error.Code == MasterErrorCode.NotLeader)
                    {
                        var named = error.LeaderId is null ? null : Find(error.LeaderId);
                        lastProblem = $"{target.Master.Id} is not the leader" + (error.LeaderId is not null ? $"; it names {error.LeaderId}" : "; no leader known");
                        pause = named is null || named == target;
                        target = named ?? Next(target);
                    }
                    else
                    {
                        // No leader, outcome unknown, busy or a fault of that master: retrying with the same sequence number is safe.
                        lastProblem = $"{target.Master.Id}: {error.Code} ({error.Message})";
                        pause = true;
                        target = Next(target);
                    }
                }
                catch (Exception e) when (e is IOException or SocketException ||
                                          (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    lastProblem = $"{target.Master.Id}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}";
                    await DropConnectionAsync(target);
                    pause = true;
                    target = Next(target);
                }
            }
            if (_time.GetElapsedTime(started) >= _options.CallTimeout)
            {
                throw new TimeoutException(
                    $"No master leader answered within {_options.CallTimeout.TotalSeconds:F0} s; last: {lastProblem}. " +
                    (kind == MasterRequestKind.Command || sequence != 0 ? "The command may or may not have been applied." : ""));
            }
            if (pause)
            {
                // No leader named: ask every master at once who leads before waiting, so a leader elected meanwhile (or one
                // this client has not tried yet) is used at once instead of after a pause and a walk round the masters.
                // An attempt the probe pointed to that failed too is followed by a real pause, so a master that claims to lead
                // but cannot serve is never retried in a tight loop.
                var found = probed ? null : await ProbeLeaderAsync(cancellationToken);
                probed = found is not null;
                if (found is not null)
                {
                    target = found;
                    continue;
                }
                await Task.Delay(backoff, _time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>
    /// Asks every master for its status at once (each for at most <see cref="MasterClientOptions.StatusTimeout"/>) and returns the
    /// first that itself answers that it leads, without waiting for the others: one slow or paused master must not hold up a
    /// failover. Null when none does. Only reads status: no command is sent by it.
    /// </summary>
    /// <remarks>
    /// A deposed leader that has not learnt it yet may answer first; the command sent to it then fails and the caller pauses
    /// before it probes again, and Raft never lets that master apply anything, so the cost is time, never safety.
    /// </remarks>
    private async Task<Slot?> ProbeLeaderAsync(CancellationToken cancellationToken)
    {
        var slots = Volatile.Read(ref _slots);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = slots.Select(slot => AskStatusAsync(slot, probe.Token)).ToList();
        try
        {
            while (pending.Count > 0)
            {
                var answered = await Task.WhenAny(pending);
                pending.Remove(answered);
                if (await answered is { } leader)
                {
                    return leader;
                }
            }
            return null;
        }
        finally
        {
            // The probes still waiting are abandoned; each ends on its own once cancelled.
            await probe.CancelAsync();
            await Task.WhenAll(pending);
        }
    }

    // The slot if its master answers that it leads; null for any other answer, no answer, or one cut short by the probe.
    private async Task<Slot?> AskStatusAsync(Slot slot, CancellationToken cancellationToken)
    {
        try
        {
            var status = await GetStatusAsync(slot.Master.Id, _options.StatusTimeout, cancellationToken);
            return status.Role == "Leader" ? slot : null;
        }
        catch (Exception e) when (e is IOException or TimeoutException or MasterException or ArgumentException or OperationCanceledException)
        {
            // ArgumentException: the master left the list while the probe ran. OperationCanceledException: the probe ended.
            return null;
        }
    }

    // The master after this one in the current list; the first when this one is no longer listed.
    private Slot Next(Slot slot)
    {
        var slots = Volatile.Read(ref _slots);
        return slots[(Array.IndexOf(slots, slot) + 1) % slots.Length];
    }

    private Slot? Find(string id) => Volatile.Read(ref _slots).FirstOrDefault(s => s.Master.Id == id);

    private async Task<MasterConnection> ConnectionAsync(Slot slot, CancellationToken cancellationToken)
    {
        var existing = Volatile.Read(ref slot.Connection);
        if (existing is { IsBroken: false })
        {
            return existing;
        }
        await slot.Connecting.WaitAsync(cancellationToken);
        try
        {
            // Checked under the lock DisposeAsync (and a removal from the list) also takes: a connection opened here is
            // either seen and closed by them, or never opened.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (slot.Closed)
            {
                throw new IOException($"{slot.Master.Id} is no longer one of the masters.");
            }
            existing = slot.Connection;
            if (existing is { IsBroken: false })
            {
                return existing;
            }
            if (existing is not null)
            {
                await existing.DisposeAsync();
            }
            var opened = await MasterConnection.OpenAsync(slot.Master.Host, slot.Master.RaftPort, cancellationToken);
            Volatile.Write(ref slot.Connection, opened);
            return opened;
        }
        finally
        {
            slot.Connecting.Release();
        }
    }

    private static async Task DropConnectionAsync(Slot slot)
    {
        var connection = Interlocked.Exchange(ref slot.Connection, null);
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    // Closes a master's connection for good: no later attempt opens another.
    private static async Task CloseAsync(Slot slot)
    {
        await slot.Connecting.WaitAsync();
        try
        {
            slot.Closed = true;
            await DropConnectionAsync(slot);
        }
        finally
        {
            slot.Connecting.Release();
        }
    }

    /// <summary>Closes every connection; never throws. Calls in progress fail with <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>The per-master locks are not disposed: a call racing with this one may still be waiting on them.</remarks>
    public async ValueTask DisposeAsync()
    {
        Slot[] slots;
        lock (_slotsLock)
        {
            _disposed = true;
            slots = _slots;
        }
        foreach (var slot in slots)
        {
            await CloseAsync(slot);
        }
    }

    // One master of the list, with its connection and the lock under which that connection is (re)opened.
    private sealed class Slot(MasterNodeConfig master)
    {
        public MasterConnection? Connection;
        public bool Closed;

        public MasterNodeConfig Master { get; } = master;

        public SemaphoreSlim Connecting { get; } = new(1, 1);
    }
}
