using Dfs.Client.ChunkServers;

namespace Dfs.Raft.ChunkServers;

public sealed partial class ChunkServerDirectory
{
    /// <summary>Takes in one heartbeat and answers it: on the leader with the server's pending commands.</summary>
    public HeartbeatReply OnHeartbeat(HeartbeatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var status = _kv.Status;
        var leader = status.Role == "Leader";
        var register = false;
        HeartbeatReply reply;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var server = Server(request.ServerId);
            if (server.LastHeard is null)
            {
                LogFirstHeartbeat(_logger, request.ServerId, request.Host, request.Port, request.FullReport);
            }
            server.Host = request.Host;
            server.Port = request.Port;
            server.CapacityBytes = request.CapacityBytes;
            server.UsedBytes = request.UsedBytes;
            server.FreeBytes = request.FreeBytes;
            server.Load = request.Load;
            server.Pid = request.Pid;
            server.LastHeard = now;
            server.PendingPlacements = 0;

            var copiesBefore = _copies.Count;
            var sendFull = request.FullReport ? TakeReportPage(server, request) : TakeDelta(server, request);
            foreach (var corrupt in request.Corrupt)
            {
                TakeCorrupt(server, corrupt, now);
            }
            foreach (var failed in request.FailedCopies)
            {
                TakeFailedCopy(server, failed, now);
            }
            // A copy this heartbeat reported done (or failed) frees a slot on its source and target: order the next ones now, so this
            // reply carries them instead of the next heartbeat a whole interval later (a dead server's chunks are copied at
            // the speed of the copies, not of the heartbeats).
            if (leader && _copies.Count < copiesBefore)
            {
                RunDutiesLocked(now);
            }

            var needsRecord = server.Member is not { } known || known.Host != request.Host || known.Port != request.Port;
            if (leader && needsRecord && !server.MemberWriteInFlight)
            {
                server.MemberWriteInFlight = true;
                register = true;
            }

            IReadOnlyList<ulong> deletes = [];
            IReadOnlyList<ReplicateCommand> replicates = [];
            if (leader)
            {
                deletes = TakeDeleteOrders(server);
                replicates = TakeReplicateOrders(server);
            }
            else
            {
                server.DeleteOrders.Clear();
                server.ReplicateOrders.Clear();
            }
            reply = new HeartbeatReply(leader, status.LeaderId ?? "", status.Term, sendFull, deletes, replicates);
        }
        if (register)
        {
            _ = RegisterMemberAsync(request.ServerId, request.Host, request.Port);
        }
        return reply;
    }

    /// <returns>Whether the server must start its full report again (a page came out of order).</returns>
    private bool TakeReportPage(ServerState server, HeartbeatRequest request)
    {
        if (request.ReportPage == 0)
        {
            server.Reporting = [];
            server.NextPage = 0;
        }
        if (server.Reporting is null || request.ReportPage != server.NextPage)
        {
            server.Reporting = null;
            return true;
        }
        foreach (var chunk in request.Added)
        {
            AddReplica(server, chunk);
            server.Reporting.Add(chunk.Id);
        }
        server.NextPage++;
        if (request.LastPage)
        {
            // Chunks this master thought the server held that its report leaves out: one walk over the chunks, once per full report.
            var reported = server.Reporting;
            var gone = _chunks.Values.Where(chunk => chunk.Holds(server) && !reported.Contains(chunk.Id)).Select(chunk => chunk.Id).ToList();
            foreach (var id in gone)
            {
                RemoveReplica(server, id);
            }
            server.Reporting = null;
            if (!server.ReportComplete)
            {
                LogReportComplete(_logger, server.Id, server.ChunkCount);
            }
            server.ReportComplete = true;
        }
        return false;
    }

    /// <returns>Whether this master needs a full report from the server (it has none since it started).</returns>
    private bool TakeDelta(ServerState server, HeartbeatRequest request)
    {
        foreach (var chunk in request.Added)
        {
            AddReplica(server, chunk);
        }
        foreach (var id in request.Removed)
        {
            RemoveReplica(server, id);
        }
        // A delta is applied even before the base arrives: the full report that follows settles the rest.
        return !server.ReportComplete && server.Reporting is null;
    }

    private void TakeCorrupt(ServerState server, ReportedChunk corrupt, long now)
    {
        RemoveReplica(server, corrupt.Id);
        if (_chunks.TryGetValue(corrupt.Id, out var chunk))
        {
            // The replica there was bad: copies go elsewhere for a while, and what is left of it there is deleted.
            (chunk.Avoid ??= [])[server.Id] = now + Ticks(_options.CopyTimeout);
        }
        server.DeleteOrders.Add(corrupt.Id);
        LogCorrupt(_logger, server.Id, corrupt.Id, corrupt.Version);
    }

    /// <summary>
    /// The server could not copy the chunk from any source it was given: the copy ends now rather than at its timeout, and
    /// the next order goes to another target. A report of an order that was since replaced (another version) is ignored.
    /// </summary>
    private void TakeFailedCopy(ServerState server, ReportedChunk failed, long now)
    {
        if (!_copies.TryGetValue((failed.Id, server.Id), out var copy) || copy.Version != failed.Version)
        {
            return;
        }
        _copies.Remove((failed.Id, server.Id));
        EndCopy(copy);
        if (_chunks.TryGetValue(failed.Id, out var chunk))
        {
            (chunk.Avoid ??= [])[server.Id] = now + Ticks(_options.CopyTimeout);
        }
        LogCopyFailed(_logger, failed.Id, server.Id, string.Join(", ", copy.Sources));
    }

    private void AddReplica(ServerState server, ReportedChunk reported)
    {
        if (reported.Version is < 0 or > ChunkState.MaxVersion)
        {
            LogVersionOutOfRange(_logger, server.Id, reported.Id, reported.Version);
            return;
        }
        var chunk = Chunk(reported.Id);
        if (chunk.SetHolder(server, reported.Version))
        {
            server.ChunkCount++;
        }
        if (chunk.Expected?.Remove(server.Id) == true)
        {
            if (chunk.Expected.Count == 0)
            {
                chunk.Expected = null;
            }
            else
            {
                ExpectPartners(chunk, reported.Version);
            }
        }
        chunk.Version = Math.Max(chunk.Version, reported.Version);
        if (_copies.Remove((reported.Id, server.Id), out var copy))
        {
            EndCopy(copy);
        }
    }

    /// <summary>
    /// A writer reported the chunk it was expected to write: the pipeline's other writers of that version finish the chunk
    /// with it, so their reports are a heartbeat away and they count as replicas for another dead timeout from now.
    /// </summary>
    /// <remarks>
    /// The window set at allocation runs from the chunk's first byte. A write slower than the dead timeout (a client
    /// sending 64 MiB at under 13 MB/s) would otherwise leave the first report alone, and the chunk would look one replica
    /// strong: the leader would copy it twice and then trim the surplus.
    /// </remarks>
    private void ExpectPartners(ChunkState chunk, long version)
    {
        var writers = chunk.Expected!;
        var until = _time.GetTimestamp() + Ticks(_options.DeadAfter);
        foreach (var (writer, (expected, _)) in writers.ToList())
        {
            if (expected == version)
            {
                writers[writer] = (expected, until);
            }
        }
    }

    private void RemoveReplica(ServerState server, ulong id)
    {
        server.DeleteOrders.Remove(id);
        if (!_chunks.TryGetValue(id, out var chunk))
        {
            return;
        }
        if (chunk.RemoveHolder(server))
        {
            server.ChunkCount--;
        }
        if (chunk.HolderCount == 0 && _deleting.Remove(id))
        {
            _chunks.Remove(id);
        }
    }

    private void EndCopy(CopyInFlight copy)
    {
        if (_servers.TryGetValue(copy.Target, out var target))
        {
            target.Copies--;
        }
        if (_servers.TryGetValue(copy.Source, out var source))
        {
            source.Copies--;
        }
        if (_chunks.TryGetValue(copy.ChunkId, out var chunk))
        {
            chunk.Copies--;
        }
    }

    private List<ulong> TakeDeleteOrders(ServerState server)
    {
        var deletes = new List<ulong>();
        var seen = new HashSet<ulong>();
        foreach (var id in server.DeleteOrders)
        {
            if (deletes.Count == HeartbeatProtocol.MaxCommandsPerReply)
            {
                break;
            }
            deletes.Add(id);
            seen.Add(id);
        }
        server.DeleteOrders.ExceptWith(deletes);
        // Chunks being deleted are asked for again in every reply until the server stops reporting them.
        var deleting = _deleting.Where(id => _chunks.TryGetValue(id, out var chunk) && chunk.Holds(server));
        foreach (var id in deleting)
        {
            if (deletes.Count == HeartbeatProtocol.MaxCommandsPerReply)
            {
                break;
            }
            if (seen.Add(id))
            {
                deletes.Add(id);
            }
        }
        return deletes;
    }

    private static List<ReplicateCommand> TakeReplicateOrders(ServerState server)
    {
        var take = Math.Min(server.ReplicateOrders.Count, HeartbeatProtocol.MaxCommandsPerReply);
        var replicates = server.ReplicateOrders.GetRange(0, take);
        server.ReplicateOrders.RemoveRange(0, take);
        return replicates;
    }
}
