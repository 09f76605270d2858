using Dfs.Client.ChunkServers;
using Dfs.Common.Framing;
using Dfs.Common.Wire;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// Heartbeats to one master on a connection of its own, so a master that is down or slow delays no other: a full report
/// first (in pages), then what changed since the last heartbeat that master answered; a full report again whenever it asks.
/// </summary>
internal sealed class MasterLink(MasterAddress master, ChunkServerHeartbeatOptions options, ReplicaJournal journal,
    Func<HeartbeatRequest> describe, ReplicaCommandRunner commands, TimeProvider time, ILogger logger)
{
    private FrameConnection? _connection;
    private ulong _nextRequestId;
    private long _acked = -1;
    private long _corruptAcked;
    private long _failedCopiesAcked;
    private (long Sequence, ReportedChunk[] Chunks, int Page)? _report;
    private bool _reachable = true;
    private TaskCompletionSource _wake = NewWake();

    public MasterAddress Master => master;

    /// <summary>Whether this master leads, by its last answer.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>
    /// Asks for a heartbeat now rather than at the next tick: a copy just finished, so this master learns of the new replica
    /// at once and its answer can carry the next copy orders.
    /// </summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        Task<bool>? tick = null;
        var woken = false;
        try
        {
            while (true)
            {
                await BeatAsync(stopping, woken);
                // A timer allows one wait at a time: a tick still pending after a wake is awaited again next round.
                tick ??= timer.WaitForNextTickAsync(stopping).AsTask();
                var wake = Volatile.Read(ref _wake).Task;
                if (await Task.WhenAny(tick, wake) == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }
                    tick = null;
                    woken = false;
                }
                else
                {
                    // Re-armed before the beat, so a wake during the beat is not lost: it asks for one more.
                    Interlocked.Exchange(ref _wake, NewWake());
                    woken = true;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await DropAsync();
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// One heartbeat and its answer; a failure drops the connection and the next tick tries again. <paramref name="fresh"/>
    /// lists the store anew even if another master's loop listed it a moment ago (a woken beat reports what just changed).
    /// </summary>
    internal async Task BeatAsync(CancellationToken stopping, bool fresh = false)
    {
        var (request, deltaUpTo, corruptUpTo, failedCopiesUpTo) = Build(fresh);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.Timeout);
        HeartbeatReply reply;
        try
        {
            reply = await ExchangeAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is IOException or WireFormatException or System.Net.Sockets.SocketException
            || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            if (_reachable)
            {
                Log.MasterUnreachable(logger, master.Id, master.Host, master.Port, e.Message);
                _reachable = false;
            }
            IsLeader = false;
            await DropAsync();
            return;
        }
        if (!_reachable)
        {
            Log.MasterReachable(logger, master.Id);
            _reachable = true;
        }
        IsLeader = reply.IsLeader;
        _corruptAcked = corruptUpTo;
        _failedCopiesAcked = failedCopiesUpTo;
        if (request.FullReport)
        {
            if (reply.SendFullReport)
            {
                _report = null;
                _acked = -1;
            }
            else if (request.LastPage)
            {
                _acked = _report!.Value.Sequence;
                _report = null;
            }
            else
            {
                _report = _report!.Value with { Page = _report.Value.Page + 1 };
            }
        }
        else
        {
            _acked = reply.SendFullReport ? -1 : deltaUpTo;
        }
        if (reply.IsLeader)
        {
            commands.Run(reply, stopping);
        }
    }

    private (HeartbeatRequest Request, long DeltaUpTo, long CorruptUpTo, long FailedCopiesUpTo) Build(bool fresh)
    {
        var basics = describe();
        var corrupt = journal.Corrupt.Since(_corruptAcked, out var corruptUpTo);
        var failedCopies = journal.FailedCopies.Since(_failedCopiesAcked, out var failedCopiesUpTo);
        List<ReportedChunk>? added = null;
        List<ulong>? removed = null;
        var deltaUpTo = _acked;
        journal.Refresh(time, fresh ? TimeSpan.Zero : options.Interval / 2);
        if (_report is null && (_acked < 0 || !journal.TryDelta(_acked, HeartbeatProtocol.MaxChunksPerHeartbeat, out added, out removed, out deltaUpTo)))
        {
            var (sequence, chunks) = journal.Snapshot();
            _report = (sequence, chunks, 0);
        }
        if (_report is { } report)
        {
            var start = report.Page * HeartbeatProtocol.MaxChunksPerHeartbeat;
            var count = Math.Max(0, Math.Min(HeartbeatProtocol.MaxChunksPerHeartbeat, report.Chunks.Length - start));
            var page = new ArraySegment<ReportedChunk>(report.Chunks, start, count);
            return (basics with
            {
                FullReport = true,
                ReportPage = report.Page,
                LastPage = start + count >= report.Chunks.Length,
                Added = page,
                Removed = [],
                Corrupt = corrupt,
                FailedCopies = failedCopies,
            }, deltaUpTo, corruptUpTo, failedCopiesUpTo);
        }
        return (basics with { Added = added!, Removed = removed!, Corrupt = corrupt, FailedCopies = failedCopies }, deltaUpTo, corruptUpTo, failedCopiesUpTo);
    }

    private async Task<HeartbeatReply> ExchangeAsync(HeartbeatRequest request, CancellationToken cancellationToken)
    {
        _connection ??= await FrameConnection.ConnectAsync(master.Host, master.Port, cancellationToken);
        var requestId = ++_nextRequestId;
        var writer = _connection.BeginFrame(HeartbeatProtocol.RequestFrame, requestId);
        HeartbeatProtocol.Write(writer, request);
        _connection.EndFrame();
        await _connection.FlushAsync(cancellationToken);
        var frame = await _connection.ReadAsync(cancellationToken)
            ?? throw new IOException($"Master {master.Id} closed the heartbeat connection.");
        if (frame.Type != HeartbeatProtocol.ReplyFrame || frame.RequestId != requestId)
        {
            throw new IOException($"Master {master.Id} answered a heartbeat with frame type 0x{frame.Type:x4}, request {frame.RequestId}.");
        }
        return HeartbeatProtocol.ReadReply(frame.Payload);
    }

    private async Task DropAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }
}
