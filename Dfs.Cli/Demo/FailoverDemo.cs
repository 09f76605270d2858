using System.Diagnostics;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Demo;

/// <summary>
/// <c>dfs demo failover</c>: under a steady stream of uploads and reads through the gateway, SIGKILLs the leader master (by the
/// pid <c>/api/cluster</c> reports), times the election and the write gap, starts the dead master again through the gateway and
/// waits for it to rejoin as a caught-up follower; then does the same to a chunk server and times the re-replication; and
/// finally reads every acknowledged upload back.
/// </summary>
/// <remarks>
/// The nodes must run on this machine (the kill is <see cref="Process.Kill()"/> of their pid), and starting one again needs a
/// gateway that launched the cluster (<c>POST /api/cluster/nodes/{id}/start</c>).
/// </remarks>
internal sealed class FailoverDemo(GatewayClient gateway, FailoverDemoOptions options, Timeline timeline, Func<long> clock)
{
    /// <summary>The goal: writes resume within this long of the leader's death (median of the rounds).</summary>
    public const double GoalMs = 500;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public async Task<FailoverReport> RunAsync(CancellationToken cancellationToken)
    {
        var root = $"/demo/failover-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
        var view = await WaitForClusterAsync(v => v.Leader is not null, "a leader", TimeSpan.FromMilliseconds(200), cancellationToken);
        timeline.Add(TimelineKind.Info,
            $"Cluster: {view.Masters?.Count ?? 0} masters, {view.ChunkServers?.Count(c => c.Alive) ?? 0} live chunk servers, replication {view.ReplicationFactor}; " +
            $"{options.Stream.Writers} writers each start an upload every {options.Stream.Interval.TotalMilliseconds:0} ms into {root}/.");

        var stream = new UploadStream(gateway, root, options.Stream, clock);
        var rounds = new List<LeaderRound>();
        ChunkServerPhase? chunkPhase = null;
        VerifyResult verified;
        await using (stream)
        {
            stream.Start();
            await WaitForUploadsAsync(stream, options.Stream.Writers * 2, cancellationToken);
            timeline.Add(TimelineKind.Info, $"Uploads are flowing: {stream.AcknowledgedCount} acknowledged so far.");

            for (var round = 1; round <= options.Rounds; round++)
            {
                timeline.NewPhase();
                var result = await LeaderRoundAsync(round, stream, cancellationToken);
                rounds.Add(result);
                if (result.Problem is not null)
                {
                    break;
                }
            }

            if (options.ChunkServer && rounds.All(r => r.Problem is null))
            {
                timeline.NewPhase();
                chunkPhase = await ChunkServerPhaseAsync(stream, cancellationToken);
            }

            await stream.StopAsync();
            timeline.NewPhase();
            timeline.Add(TimelineKind.Info, $"Stopped the stream; reading back all {stream.AcknowledgedCount} acknowledged uploads.");
            verified = await stream.VerifyAsync(cancellationToken);
        }

        if (verified.Lost == 0 && verified.Unreadable.Count == 0)
        {
            timeline.Add(TimelineKind.Good, $"Every acknowledged upload read back byte-identical: {verified.Verified} of {verified.Acknowledged}.");
        }
        else
        {
            timeline.Add(TimelineKind.Bad,
                $"{verified.Missing.Count} acknowledged uploads missing, {verified.Corrupt.Count} with other bytes, {verified.Unreadable.Count} unreadable " +
                $"(first: {string.Join(", ", verified.Missing.Concat(verified.Corrupt).Concat(verified.Unreadable).Take(3))}).");
        }
        if (stream.BadReads.Count > 0)
        {
            timeline.Add(TimelineKind.Bad, $"{stream.BadReads.Count} reads during the stream served wrong bytes (first: {stream.BadReads.First()}).");
        }
        if (!options.Keep)
        {
            await CleanUpAsync(root, cancellationToken);
        }

        var records = stream.Records.ToArray();
        var median = FailoverMath.Median(rounds.Where(r => r.WritesResumedAfterMs is not null).Select(r => r.WritesResumedAfterMs!.Value));
        var uploads = new UploadSummary(
            records.Length,
            records.Count(r => r.Acknowledged),
            records.Count(r => !r.Acknowledged),
            verified.Verified,
            verified.Lost,
            verified.Missing.Count,
            verified.Corrupt.Count,
            verified.Unreadable.Count,
            stream.BadReads.Count,
            stream.ReadsOk,
            stream.ReadsFailed);
        return new FailoverReport(gateway.BaseAddress.ToString(), options.Stream.Writers, GoalMs, rounds, median, median is { } m && m <= GoalMs,
            chunkPhase, uploads, FailoverMath.LoadAverage(), timeline.Events);
    }

    private async Task<LeaderRound> LeaderRoundAsync(int round, UploadStream stream, CancellationToken cancellationToken)
    {
        // Every master answering: the one restarted by the previous round has rejoined before another is killed.
        var view = await WaitForClusterAsync(v => v.Leader is not null && (v.Masters ?? []).All(m => m.Healthy) && LeaderOf(v)?.Pid is > 0,
            "a leader with every master healthy", TimeSpan.FromMilliseconds(100), cancellationToken);
        var leader = LeaderOf(view)!;
        var pid = leader.Pid!.Value;
        var followers = (view.Masters ?? []).Where(m => m.Id != leader.Id).Select(m => m.Id).ToArray();
        timeline.Add(TimelineKind.Info,
            $"Round {round}: {leader.Id} leads in term {leader.Term} (pid {pid}); {string.Join(" and ", followers)} follow; commit index {leader.CommitIndex}.");
        await WaitForUploadsAsync(stream, stream.AcknowledgedCount + options.Stream.Writers, cancellationToken);

        var killedAt = Kill(pid, leader.Id);
        timeline.Kill(killedAt, $"SIGKILL {leader.Id} (pid {pid}), the leader. Uploads keep coming.");

        var electedTask = WaitForClusterAsync(v => v.Leader is { } l && l != leader.Id, "a new leader", TimeSpan.FromMilliseconds(10), cancellationToken);
        var resumedTask = WaitForAsync(() => FailoverMath.FirstResumed(stream.Records, killedAt), "an upload started after the kill to be acknowledged",
            cancellationToken);
        ClusterView elected;
        UploadRecord resumed;
        try
        {
            (elected, resumed) = (await electedTask, await resumedTask);
        }
        catch (TimeoutException e)
        {
            timeline.Add(TimelineKind.Bad, e.Message);
            return new LeaderRound(round, leader.Id, leader.Term ?? 0, pid, null, null, null, null, FailoverMath.FailedDuring(stream.Records, killedAt, clock()),
                false, false, null, null, e.Message);
        }
        var electedAt = _lastSeenMs;
        var newLeader = LeaderOf(elected)!;
        timeline.Add(TimelineKind.Elected, $"{newLeader.Id} is the new leader, in term {newLeader.Term} (first seen by the gateway).", Math.Min(electedAt, resumed.EndedMs));
        var gap = resumed.EndedMs - killedAt;
        var failed = FailoverMath.FailedDuring(stream.Records, killedAt, resumed.EndedMs);
        timeline.Add(TimelineKind.Resumed,
            $"Writes resumed: an upload started {resumed.StartedMs - killedAt} ms after the kill was acknowledged. Gap {gap} ms" +
            (failed > 0 ? $"; {failed} uploads failed in it." : "; no upload failed."), resumed.EndedMs);

        var (restarted, rejoined, rejoinedAt, commitIndex, problem) = await RestartMasterAsync(leader.Id, newLeader.Id, cancellationToken);
        return new LeaderRound(round, leader.Id, leader.Term ?? 0, pid, newLeader.Id, newLeader.Term, Math.Min(electedAt, resumed.EndedMs) - killedAt, gap, failed,
            restarted, rejoined, rejoinedAt is { } at ? at - killedAt : null, commitIndex, problem);
    }

    private async Task<(bool Restarted, bool Rejoined, long? At, long? CommitIndex, string? Problem)> RestartMasterAsync(string id, string leaderId,
        CancellationToken cancellationToken)
    {
        var started = await StartAgainAsync(id, cancellationToken);
        if (started is null)
        {
            return (false, false, null, null, $"{id} could not be started again: the gateway did not launch the cluster. Start {id} yourself.");
        }
        timeline.Add(TimelineKind.Info, $"Started {id} again (pid {started.Pid}) through the gateway.");
        long previousLeaderCommit = long.MaxValue;
        try
        {
            var view = await WaitForClusterAsync(v =>
            {
                var back = (v.Masters ?? []).FirstOrDefault(m => m.Id == id);
                var current = LeaderOf(v);
                // Caught up: it holds at least what the leader had committed one look earlier (the index moves on under load).
                var caughtUp = back is { Healthy: true, Role: "Follower" } && current is not null && back.Term == current.Term
                    && back.CommitIndex >= previousLeaderCommit;
                previousLeaderCommit = current?.CommitIndex ?? long.MaxValue;
                return caughtUp;
            }, $"{id} to rejoin as a caught-up follower", TimeSpan.FromMilliseconds(50), cancellationToken);
            var at = _lastSeenMs;
            var master = view.Masters!.First(m => m.Id == id);
            timeline.Add(TimelineKind.Good,
                $"{id} rejoined as a follower of {view.Leader} in term {master.Term} and caught up: commit index {master.CommitIndex}.", at);
            return (true, true, at, master.CommitIndex, null);
        }
        catch (TimeoutException e)
        {
            timeline.Add(TimelineKind.Bad, e.Message);
            return (true, false, null, null, e.Message);
        }
    }

    private async Task<ChunkServerPhase> ChunkServerPhaseAsync(UploadStream stream, CancellationToken cancellationToken)
    {
        if (options.ChunkedFiles > 0)
        {
            var stored = await stream.StoreFilesAsync(options.ChunkedFiles, FailoverDemoOptions.ChunkedFileBytes, cancellationToken);
            timeline.Add(TimelineKind.Info,
                $"Stored {stored} files of {FailoverDemoOptions.ChunkedFileBytes / (1024 * 1024)} MiB, large enough to live in chunks, so the chunk servers hold something to re-replicate.");
        }
        var view = await WaitForClusterAsync(v => v.Leader is not null && (v.ChunkServers ?? []).All(c => c.Alive) && v.UnderReplicatedChunks == 0,
            "every chunk server live and nothing under-replicated", TimeSpan.FromMilliseconds(200), cancellationToken);
        var live = view.ChunkServers!.Where(c => c.Pid is > 0).ToArray();
        if (live.Length == 0)
        {
            const string NoPid = "No chunk server has a known pid; nothing to kill.";
            timeline.Add(TimelineKind.Warning, NoPid);
            return new ChunkServerPhase("", 0, 0, false, null, 0, null, false, 0, 0, false, null, NoPid);
        }
        var victim = live.OrderByDescending(c => c.ChunkCount).ThenBy(c => c.Id, StringComparer.Ordinal).First();
        var spare = view.ChunkServers!.Count(c => c.Alive) - 1 >= view.ReplicationFactor;
        timeline.Add(TimelineKind.Info,
            $"Chunk servers: {string.Join(", ", view.ChunkServers!.Select(c => $"{c.Id} {c.ChunkCount} chunks"))}; each chunk on {view.ReplicationFactor}." +
            (spare ? "" : " No spare server: chunks can only get their third copy back when the server returns."));

        var killedAt = Kill(victim.Pid!.Value, victim.Id);
        timeline.Kill(killedAt, $"SIGKILL chunk server {victim.Id} (pid {victim.Pid}), holding {victim.ChunkCount} chunks. Uploads and reads carry on.");

        long? deadAt = null;
        long maxUnder = 0;
        long? restoredAt = null;
        try
        {
            await WaitForClusterAsync(v =>
            {
                var server = (v.ChunkServers ?? []).FirstOrDefault(c => c.Id == victim.Id);
                if (deadAt is null && server is { Alive: false })
                {
                    deadAt = _lastSeenMs;
                    timeline.Add(TimelineKind.Warning, $"The leader declares {victim.Id} dead; {v.UnderReplicatedChunks} chunks under-replicated.", deadAt);
                }
                maxUnder = Math.Max(maxUnder, v.UnderReplicatedChunks);
                // Without a spare, waiting longer shows nothing new: the copies wait for the restart.
                return deadAt is not null && (!spare || (v.UnderReplicatedChunks == 0 && v.ReplicationsInFlight == 0));
            }, spare ? $"{victim.Id}'s chunks to be copied to the other servers" : $"{victim.Id} to be declared dead", TimeSpan.FromMilliseconds(100),
                cancellationToken, TimeSpan.FromSeconds(180));
            if (spare)
            {
                restoredAt = _lastSeenMs;
                timeline.Add(TimelineKind.Good,
                    $"Re-replicated: no chunk below {view.ReplicationFactor} copies any more (at most {maxUnder} were), {restoredAt - killedAt} ms after the kill.",
                    restoredAt);
            }
        }
        catch (TimeoutException e)
        {
            timeline.Add(TimelineKind.Bad, e.Message);
        }

        var restartAt = clock();
        var (acked, failedWhileDown) = FailoverMath.StartedDuring(stream.Records, killedAt, restartAt);
        timeline.Add(acked > 0 ? TimelineKind.Good : TimelineKind.Bad,
            $"While {victim.Id} was down: {acked} uploads acknowledged, {failedWhileDown} failed; {stream.ReadsOk} reads matched so far.");

        var started = await StartAgainAsync(victim.Id, cancellationToken);
        long? backAt = null;
        string? problem = null;
        if (started is null)
        {
            problem = $"{victim.Id} could not be started again: the gateway did not launch the cluster.";
            timeline.Add(TimelineKind.Warning, problem);
        }
        else
        {
            timeline.Add(TimelineKind.Info, $"Started {victim.Id} again (pid {started.Pid}) through the gateway.");
            try
            {
                await WaitForClusterAsync(v => (v.ChunkServers ?? []).Any(c => c.Id == victim.Id && c.Alive) && v.UnderReplicatedChunks == 0 && v.ReplicationsInFlight == 0,
                    $"{victim.Id} back and every chunk fully replicated", TimeSpan.FromMilliseconds(100), cancellationToken, TimeSpan.FromSeconds(180));
                backAt = _lastSeenMs;
                if (restoredAt is null)
                {
                    restoredAt = backAt;
                    timeline.Add(TimelineKind.Good, $"{victim.Id} is back and every chunk has {view.ReplicationFactor} copies again, {backAt - killedAt} ms after the kill.", backAt);
                }
                else
                {
                    timeline.Add(TimelineKind.Good, $"{victim.Id} is back, serving beside the others.", backAt);
                }
            }
            catch (TimeoutException e)
            {
                problem = e.Message;
                timeline.Add(TimelineKind.Bad, e.Message);
            }
        }
        return new ChunkServerPhase(victim.Id, victim.Pid!.Value, victim.ChunkCount, spare, deadAt - killedAt, maxUnder, restoredAt - killedAt,
            spare && restoredAt is not null && restoredAt <= restartAt, acked, failedWhileDown, started is not null, backAt - killedAt, problem);
    }

    private async Task<NodeStarted?> StartAgainAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await gateway.StartNodeAsync(id, cancellationToken);
        }
        catch (GatewayProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound && e.Slug != "not-found")
        {
            // No such route: this gateway did not launch the cluster.
            return null;
        }
    }

    /// <summary>SIGKILLs <paramref name="pid"/> after checking it is a Dfs process on this machine; returns the demo time of the kill.</summary>
    private long Kill(int pid, string id)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            throw new CliException(ExitCodes.Usage,
                $"{id}'s process {pid} does not run on this machine: the demo kills nodes by pid, so it must run where the cluster runs.");
        }
        using (process)
        {
            var name = process.ProcessName;
            if (!name.StartsWith("dotnet", StringComparison.Ordinal) && !name.StartsWith("Dfs.", StringComparison.Ordinal))
            {
                throw new CliException(ExitCodes.Usage, $"Process {pid} is '{name}', not a Dfs node; {id} was not killed.");
            }
            // On Unix this is SIGKILL: no goodbye, no flush, no leadership hand-over.
            process.Kill();
            var at = clock();
            process.WaitForExit(TimeSpan.FromSeconds(10));
            return at;
        }
    }

    private async Task CleanUpAsync(string root, CancellationToken cancellationToken)
    {
        try
        {
            await gateway.DeleteDirectoryAsync(root, recursive: true, cancellationToken);
        }
        catch (Exception e) when (e is GatewayProblemException or GatewayUnreachableException)
        {
            timeline.Add(TimelineKind.Warning, $"Could not delete {root}: {e.Message}");
        }
    }

    private static MasterInfo? LeaderOf(ClusterView view) => (view.Masters ?? []).FirstOrDefault(m => m.Id == view.Leader);

    private long _lastSeenMs;

    /// <summary>Polls <c>/api/cluster</c> until <paramref name="condition"/> holds; <see cref="_lastSeenMs"/> is when the latest answer arrived.</summary>
    /// <exception cref="TimeoutException">It did not hold within the step's time.</exception>
    private async Task<ClusterView> WaitForClusterAsync(Func<ClusterView, bool> condition, string what, TimeSpan every, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
    {
        var deadline = clock() + (long)(timeout ?? StepTimeout).TotalMilliseconds;
        var last = "no answer yet";
        while (true)
        {
            try
            {
                var view = await gateway.GetClusterAsync(cancellationToken);
                // Set before the condition runs, so a condition that records a moment records this answer's.
                Volatile.Write(ref _lastSeenMs, clock());
                if (condition(view))
                {
                    return view;
                }
                last = $"leader {view.Leader ?? "none"}, masters {string.Join(", ", (view.Masters ?? []).Select(m => $"{m.Id} {m.Role} t{m.Term} ci{m.CommitIndex}"))}, " +
                    $"under-replicated {view.UnderReplicatedChunks}";
            }
            catch (Exception e) when (e is GatewayProblemException or GatewayUnreachableException)
            {
                last = e.Message;
            }
            if (clock() >= deadline)
            {
                throw new TimeoutException($"Waited {(timeout ?? StepTimeout).TotalSeconds:0} s for {what}; last seen: {last}.");
            }
            await Task.Delay(every, cancellationToken);
        }
    }

    private async Task<T> WaitForAsync<T>(Func<T?> probe, string what, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = clock() + (long)StepTimeout.TotalMilliseconds;
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }
            if (clock() >= deadline)
            {
                throw new TimeoutException($"Waited {StepTimeout.TotalSeconds:0} s for {what}.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    private async Task WaitForUploadsAsync(UploadStream stream, int acknowledged, CancellationToken cancellationToken) =>
        await WaitForAsync(() => stream.AcknowledgedCount >= acknowledged ? stream : null, $"{acknowledged} acknowledged uploads", cancellationToken);
}
