using Dfs.Client.Chunks.Protocol;

namespace Dfs.Client.Chunks;

internal sealed partial class PipelineWrite
{
    /// <summary>
    /// Leaves out the failed server, asks each survivor how many bytes it holds durably, and resumes the
    /// write on the survivors from the smallest such offset under version + 1 (HDFS pipeline recovery with
    /// a new generation stamp), resending the kept packets and the commit if it was already sent.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await TearDownAsync();
        var failure = CurrentFailure() ?? new ChunkServerException(ChunkErrorCode.Internal, "The pipeline stopped without a reported failure.");
        while (true)
        {
            _recoveries++;
            var failedIndex = Math.Clamp(failure.Hops, 0, _chain.Count - 1);
            var failed = _chain[failedIndex];
            _failureLog.Add($"{failed}: {failure.Code}: {failure.Message}");
            if (_options.Logger is { } logger)
            {
                Log.WriteRecovering(logger, _id, _version, failed.ToString(), failure.Code, failure.Message);
            }
            _chain.RemoveAt(failedIndex);
            if (_recoveries > WriteBlockRequest.MaxChainLength * 2)
            {
                throw Exhausted(failure);
            }

            var next = await PlanResumeAsync(failure, cancellationToken);
            if (next.Committed)
            {
                return;
            }
            if (_chain.Count < _options.MinReplicas || _chain.Count == 0)
            {
                throw Exhausted(failure);
            }
            _version = await NextVersionAsync(cancellationToken);
            if (await SetUpAsync(resume: next.Offset > 0, next.Offset, cancellationToken))
            {
                await ResendAsync(next.Offset);
                return;
            }
            failure = CurrentFailure()!;
        }
    }

    /// <summary>The version the survivors resume under: the master's bump when one is wired in, else one more.</summary>
    private async Task<long> NextVersionAsync(CancellationToken cancellationToken)
    {
        if (BumpVersion is null)
        {
            return _version + 1;
        }
        var next = await BumpVersion(_version, [.. _chain], cancellationToken);
        return next > _version
            ? next
            : throw new ChunkServerException(ChunkErrorCode.Internal, $"Chunk {_id}: the bumped version {next} is not above the current version {_version}.");
    }

    /// <summary>Asks the survivors what they hold and drops those that cannot continue; decides where to resume.</summary>
    private async Task<(bool Committed, long Offset)> PlanResumeAsync(ChunkServerException lastFailure, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_chain.Count < _options.MinReplicas || _chain.Count == 0)
            {
                throw Exhausted(lastFailure);
            }
            var statuses = await Task.WhenAll(_chain.Select(endpoint => StatusAsync(endpoint, cancellationToken)));
            if (_options.Logger is { } statusLogger)
            {
                foreach (var (endpoint, status, error) in statuses)
                {
                    Log.SurvivorStatus(statusLogger, _id, endpoint.ToString(), status?.ToString() ?? error ?? "");
                }
            }
            var unreachable = statuses.Where(s => s.Status is null).ToList();
            if (unreachable.Count > 0)
            {
                foreach (var (endpoint, _, error) in unreachable)
                {
                    _failureLog.Add($"{endpoint}: {error}");
                    _chain.Remove(endpoint);
                }
                continue;
            }

            // A failure during the commit may leave survivors committed already.
            if (_commitSent)
            {
                var done = statuses.Where(s => s.Status!.Value is { State: ChunkState.Committed } st && st.Version == _version &&
                    st.Length == _total && st.Checksum == Checksum).ToList();
                if (done.Count > 0 && done.Count >= _options.MinReplicas)
                {
                    // Survivors still pending are left out: their copy is not the committed version.
                    _chain.RemoveAll(e => !done.Any(d => d.Endpoint == e));
                    var st = done[0].Status!.Value;
                    lock (_gate)
                    {
                        _committed = new ChunkInfo(_id, st.Version, st.Length, st.Checksum);
                        _failure = null;
                    }
                    return (true, _total);
                }
            }

            long firstKept;
            lock (_gate)
            {
                firstKept = _unacked.TryPeek(out var packet) ? packet.Offset : _total;
            }
            var unusable = statuses.Where(s => s.Status!.Value switch
            {
                { State: ChunkState.Pending } st => st.Length < firstKept || st.Length > _total || st.Version > _version,
                { State: ChunkState.Absent } => firstKept > 0,
                _ => true,
            }).ToList();
            if (unusable.Count > 0)
            {
                foreach (var (endpoint, status, _) in unusable)
                {
                    _failureLog.Add($"{endpoint}: holds {status!.Value.State} v{status.Value.Version} with {status.Value.Length} bytes, which this write cannot resume from {firstKept}");
                    _chain.Remove(endpoint);
                }
                continue;
            }
            var offset = statuses.Min(s => s.Status!.Value.State == ChunkState.Pending ? s.Status.Value.Length : 0);
            return (false, offset);
        }
    }

    private async Task<(ChunkEndpoint Endpoint, StatusReply? Status, string? Error)> StatusAsync(ChunkEndpoint endpoint, CancellationToken cancellationToken)
    {
        await using var client = new ChunkServerClient(endpoint, _options.ConnectTimeout);
        try
        {
            return (endpoint, await client.GetStatusAsync(_id, cancellationToken), null);
        }
        catch (ChunkServerException e)
        {
            return (endpoint, null, $"{e.Code}: {e.Message}");
        }
    }

    /// <summary>Sends again every kept byte from <paramref name="offset"/>, and the commit if it was sent before.</summary>
    private async Task ResendAsync(long offset)
    {
        var pipeline = _pipeline!;
        Packet[] kept;
        lock (_gate)
        {
            kept = _unacked.Where(p => p.End > offset).ToArray();
        }
        try
        {
            foreach (var packet in kept)
            {
                var start = Math.Max(offset, packet.Offset);
                await SendAsync(pipeline, connection =>
                    ChunkWire.SendData(connection, pipeline.RequestId, start, packet.Buffer.AsSpan((int)(start - packet.Offset), (int)(packet.End - start))));
            }
            if (_commitSent)
            {
                await SendAsync(pipeline, connection => ChunkWire.Send(connection, pipeline.RequestId, new CommitRequest(_total, Checksum)));
            }
        }
        catch (OperationCanceledException)
        {
            // The new pipeline failed too; the driver recovers again.
        }
    }

    private ChunkServerException Exhausted(ChunkServerException lastFailure) => new(
        lastFailure.Code,
        $"Chunk {_id} could not be written to at least {_options.MinReplicas} replica(s); {_chain.Count} usable remain. " +
        $"Failures: {string.Join("; ", _failureLog)}");
}
