using Dfs.Client.Metadata;

namespace Dfs.Raft.Metadata.Service;

/// <summary>
/// A commit's chunk rule: every chunk of the new version was allocated for a write, is not being collected as an orphan,
/// and is committed at the version it was allocated (or bumped) to. The commit's transaction pins each allocation record as
/// read and deletes it, so a chunk is committed once, and a commit racing the collector's claim on one of its chunks fails.
/// </summary>
internal sealed class AllocationCheckHook(IReadOnlyList<ChunkRef> chunks) : MetadataWriteHook
{
    private readonly List<MetaKeyValue> _records = new(chunks.Count);

    public override void BeforePlan(IKvView view)
    {
        _records.Clear();
        foreach (var chunk in chunks)
        {
            var record = view.Get(ServiceKeys.AllocationKey(chunk.ChunkId)) ?? throw new MetadataException(MetadataErrorCode.Conflict,
                $"Chunk {chunk.ChunkId:x16} is not an allocated, uncommitted chunk: it was never allocated, is committed already, or was collected as an orphan.");
            var allocation = AllocationRecord.Decode(record.Value.Span);
            if (allocation.Collecting)
            {
                throw new MetadataException(MetadataErrorCode.Conflict,
                    $"Chunk {chunk.ChunkId:x16} waited longer than the orphan grace for its commit and is being collected; write the file again.");
            }
            if (allocation.Version != chunk.ChunkVersion)
            {
                throw new MetadataException(MetadataErrorCode.Conflict,
                    $"Chunk {chunk.ChunkId:x16} is at chunk version {allocation.Version}; the commit names version {chunk.ChunkVersion}.");
            }
            _records.Add(record);
        }
    }

    public override void Extend(TxnBuilder txn, object? answer)
    {
        foreach (var record in _records)
        {
            txn.Unchanged(record);
            txn.Delete(record.Key);
        }
    }
}
