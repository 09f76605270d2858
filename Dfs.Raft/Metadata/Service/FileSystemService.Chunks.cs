using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;
using Dfs.Raft.ChunkServers;

namespace Dfs.Raft.Metadata.Service;

public sealed partial class FileSystemService
{
    /// <summary>
    /// <paramref name="count"/> fresh chunk ids (from this leader's block of the counter), a placement for each, and their
    /// allocation records at chunk version 1, written in one transaction through the log before the directory learns them.
    /// </summary>
    private async Task<IReadOnlyList<ChunkAllocation>> AllocateCoreAsync(string path, int count, IReadOnlyCollection<string>? exclude,
        OutcomeFactory? outcome, CancellationToken cancellationToken)
    {
        MetadataPath.Parse(path);
        if (count is < 1 or > ChunkAllocation.MaxPerRequest)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument,
                $"An allocation asks for 1..{ChunkAllocation.MaxPerRequest} chunks; {count} is not in that range.");
        }
        var excluded = CheckServerIds(exclude ?? [], "An excluded server");
        var hook = outcome?.Invoke(null);
        // The transaction below compares the request's answer still missing, so the first look can be at the local state.
        await CheckReplayAsync(hook, cancellationToken, local: true).ConfigureAwait(false);
        _leadership.ThrowIfNotLeader();
        var allocations = new ChunkAllocation[count];
        var b = new TxnBuilder();
        var record = new AllocationRecord(NowMs, 1, false).Encode();
        for (var i = 0; i < count; i++)
        {
            // Placed one by one: each placement counts as pending load on its servers, so a batch spreads like single requests.
            var pipeline = Place(excluded);
            var id = await _chunkIds.TakeAsync(cancellationToken).ConfigureAwait(false);
            allocations[i] = new ChunkAllocation(new ChunkId(id), 1, pipeline);
            var key = ServiceKeys.AllocationKey(id);
            b.Missing(key);
            b.Put(key, record);
        }
        hook?.Extend(b, allocations);
        if (!(await _kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            // The ids are fresh, so only the outcome record can have appeared: a copy of this request was answered first.
            await CheckReplayAsync(hook, cancellationToken).ConfigureAwait(false);
            throw new MetadataException(MetadataErrorCode.Conflict, "A fresh chunk id was taken concurrently; nothing was allocated.");
        }
        foreach (var allocation in allocations)
        {
            _directory.SetChunkVersion(allocation.Id.Value, 1);
            _directory.ExpectReplicas(allocation.Id.Value, 1, allocation.Pipeline);
        }
        return allocations;
    }

    /// <summary>Moves an allocated chunk to the next chunk version (pipeline recovery), through the log, then tells the directory.</summary>
    private async Task<ChunkAllocation> BumpCoreAsync(ChunkId chunk, long currentVersion, IReadOnlyList<ChunkServerAddress> survivors, OutcomeFactory? outcome,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        if (currentVersion < 1)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A chunk version is positive; {currentVersion} is not.");
        }
        if (survivors.Count == 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, "A pipeline rebuild names at least one surviving replica.");
        }
        CheckServerIds([.. survivors.Select(s => s?.Id!)], "A surviving replica");
        var hook = outcome?.Invoke(null);
        var key = ServiceKeys.AllocationKey(chunk.Value);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var record = await _kv.ReadAsync(view =>
            {
                hook?.BeforePlan(view);
                return view.Get(key);
            }, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                throw new MetadataException(MetadataErrorCode.Conflict,
                    $"Chunk {chunk} is not an allocated, uncommitted chunk: its version can no longer change.");
            }
            var allocation = AllocationRecord.Decode(record.Value.Span);
            if (allocation.Collecting)
            {
                throw new MetadataException(MetadataErrorCode.Conflict, $"Chunk {chunk} is being collected as an orphan; write the file again.");
            }
            if (allocation.Version != currentVersion)
            {
                throw new MetadataException(MetadataErrorCode.Conflict, $"Chunk {chunk} is at chunk version {allocation.Version}, not {currentVersion}.");
            }
            var bumped = new ChunkAllocation(chunk, currentVersion + 1, [.. survivors]);
            var b = new TxnBuilder();
            b.Unchanged(record);
            b.Put(key, (allocation with { Version = bumped.Version }).Encode());
            hook?.Extend(b, bumped);
            if ((await _kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                _directory.SetChunkVersion(chunk.Value, bumped.Version);
                _directory.ExpectReplicas(chunk.Value, bumped.Version, bumped.Pipeline);
                return bumped;
            }
        }
        throw new MetadataException(MetadataErrorCode.Conflict, $"The version of chunk {chunk} kept changing; nothing was changed.");
    }

    private IReadOnlyList<ChunkServerAddress> Place(HashSet<string> excluded)
    {
        var count = _options.ReplicationFactor;
        try
        {
            return _directory.Place(count, excluded);
        }
        catch (NotEnoughChunkServersException e)
        {
            var servers = _directory.View().Servers;
            var live = servers.Count(s => s.Alive);
            var usable = servers.Count(s => s.Alive && !s.Draining && !excluded.Contains(s.Id));
            throw new MetadataException(MetadataErrorCode.InvalidArgument,
                $"Not enough chunk servers for a new chunk: it needs {count} and {live} {(live == 1 ? "is" : "are")} live, {usable} of them neither draining nor excluded. {e.Message}");
        }
    }

    private static HashSet<string> CheckServerIds(IReadOnlyCollection<string> ids, string what)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (string.IsNullOrEmpty(id) || id.Length > 255)
            {
                throw new MetadataException(MetadataErrorCode.InvalidArgument, $"{what} has an id of 1..255 characters.");
            }
            set.Add(id);
        }
        return set;
    }
}
