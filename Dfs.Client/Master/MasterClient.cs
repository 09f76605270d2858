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
    private readonly IReadOnlyList<MasterNodeConfig> _masters;
    private readonly MasterClientOptions _options;
    private readonly TimeProvider _time;
    private readonly MasterConnection?[] _connections;
    private readonly SemaphoreSlim[] _connecting;
    private readonly SortedSet<long> _outstanding = [];
    private long _nextSequence;
    private int _leaderGuess;
    private volatile bool _sessionEstablished;
    private volatile bool _disposed;

    public MasterClient(IReadOnlyList<MasterNodeConfig> masters, MasterClientOptions? options = null)
    {
        if (masters.Count == 0)
        {
            throw new ArgumentException("A master client needs at least one master.", nameof(masters));
        }
        _masters = masters;
        _options = options ?? new MasterClientOptions();
        _options.Validate();
        _time = _options.TimeProvider;
        _connections = new MasterConnection?[masters.Count];
        _connecting = masters.Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    }

    /// <summary>This client's session id in the masters' session table.</summary>
    public Guid ClientId { get; } = Guid.NewGuid();

    /// <summary>The master this client last found leading (a guess: it may have changed).</summary>
    public string LeaderGuess => _masters[Volatile.Read(ref _leaderGuess)].Id;

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
        long sequence;
        long lowestUnanswered;
        lock (_outstanding)
        {
            sequence = ++_nextSequence;
            _outstanding.Add(sequence);
            // Until one command is known to have reached the log, the session may not exist there yet, and a
            // floor above 1 would read as an expired session: keep the floor at 1 until then.
            lowestUnanswered = _sessionEstablished ? _outstanding.Min : 1;
        }
        try
        {
            var result = await CallAsync(MasterRequestKind.Command, sequence, lowestUnanswered, encoded, cancellationToken);
            _sessionEstablished = true;
            return KvResultCodec.Decode(result);
        }
        finally
        {
            lock (_outstanding)
            {
                _outstanding.Remove(sequence);
            }
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
        long sequence;
        long lowestUnanswered;
        lock (_outstanding)
        {
            sequence = ++_nextSequence;
            _outstanding.Add(sequence);
            // The masters keep a metadata answer until a later request's floor passes it; no session has to exist first.
            lowestUnanswered = _outstanding.Min;
        }
        try
        {
            return await CallAsync(MasterRequestKind.Metadata, sequence, lowestUnanswered, request, cancellationToken);
        }
        finally
        {
            lock (_outstanding)
            {
                _outstanding.Remove(sequence);
            }
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
        var index = IndexOf(masterId);
        if (index < 0)
        {
            throw new ArgumentException($"No master {masterId} among {string.Join(", ", _masters.Select(m => m.Id))}.", nameof(masterId));
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        var limit = timeout ?? _options.StatusTimeout;
        using var attemptTimeout = new CancellationTokenSource(limit, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            var connection = await ConnectionAsync(index, attempt.Token);
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
            await DropConnectionAsync(index);
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
                        var named = error.LeaderId is null ? -1 : IndexOf(error.LeaderId);
                        lastProblem = $"{_masters[target].Id} is not the leader" + (named >= 0 ? $"; it names {error.LeaderId}" : "; no leader known");
                        pause = named < 0 || named == target;
                        target = named >= 0 ? named : Next(target);
                    }
                    else
                    {
                        // No leader, outcome unknown, busy or a fault of that master: retrying with the same sequence number is safe.
                        lastProblem = $"{_masters[target].Id}: {error.Code} ({error.Message})";
                        pause = true;
                        target = Next(target);
                    }
                }
                catch (Exception e) when (e is IOException or SocketException ||
                                          (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    lastProblem = $"{_masters[target].Id}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}";
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
                var found = probed ? -1 : await ProbeLeaderAsync(cancellationToken);
                probed = found >= 0;
                if (probed)
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
    /// index of the master that itself answered that it leads, in the highest term; -1 when none did. Only reads status: no
    /// command is sent by it.
    /// </summary>
    private async Task<int> ProbeLeaderAsync(CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(_masters.Select(async master =>
        {
            try
            {
                return await GetStatusAsync(master.Id, _options.StatusTimeout, cancellationToken);
            }
            catch (Exception e) when (e is IOException or TimeoutException or MasterException)
            {
                return null;
            }
        }));
        var best = -1;
        for (var i = 0; i < statuses.Length; i++)
        {
            // Only a master that says so itself, and just answered: a leader another one names may be the one that died.
            if (statuses[i] is { Role: "Leader" } status && (best < 0 || status.Term > statuses[best]!.Term))
            {
                best = i;
            }
        }
        return best;
    }

    private int Next(int index) => (index + 1) % _masters.Count;

    private int IndexOf(string id)
    {
        for (var i = 0; i < _masters.Count; i++)
        {
            if (_masters[i].Id == id)
            {
                return i;
            }
        }
        return -1;
    }

    private async Task<MasterConnection> ConnectionAsync(int index, CancellationToken cancellationToken)
    {
        var existing = Volatile.Read(ref _connections[index]);
        if (existing is { IsBroken: false })
        {
            return existing;
        }
        await _connecting[index].WaitAsync(cancellationToken);
        try
        {
            // Checked under the lock DisposeAsync also takes: a connection opened here is either seen and closed
            // by DisposeAsync, or never opened.
            ObjectDisposedException.ThrowIf(_disposed, this);
            existing = _connections[index];
            if (existing is { IsBroken: false })
            {
                return existing;
            }
            if (existing is not null)
            {
                await existing.DisposeAsync();
            }
            var master = _masters[index];
            var opened = await MasterConnection.OpenAsync(master.Host, master.RaftPort, cancellationToken);
            Volatile.Write(ref _connections[index], opened);
            return opened;
        }
        finally
        {
            _connecting[index].Release();
        }
    }

    private async Task DropConnectionAsync(int index)
    {
        var connection = Interlocked.Exchange(ref _connections[index], null);
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Closes every connection; never throws. Calls in progress fail with <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>The per-master locks are not disposed: a call racing with this one may still be waiting on them.</remarks>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        for (var i = 0; i < _connections.Length; i++)
        {
            await _connecting[i].WaitAsync();
            try
            {
                await DropConnectionAsync(i);
            }
            finally
            {
                _connecting[i].Release();
            }
        }
    }
}
