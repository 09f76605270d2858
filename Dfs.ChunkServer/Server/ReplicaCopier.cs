using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;

namespace Dfs.ChunkServer.Server;

/// <summary>Fetches a committed replica from a peer into the local store (re-replication ordered by the master).</summary>
internal sealed class ReplicaCopier(ChunkService service)
{
    private readonly ChunkReadClient _reader = new(new ChunkReadOptions { Timeout = service.Options.AckTimeout });

    /// <summary>Copies the chunk; the local replica is committed only if its checksum matches the source's.</summary>
    /// <exception cref="ChunkServerException">The source could not serve the chunk.</exception>
    /// <exception cref="ChunkStoreException">The local store refused it (AlreadyExists, DiskFull, Corrupt on a checksum mismatch).</exception>
    public async Task<ChunkInfo> CopyAsync(CopyFromRequest request, CancellationToken cancellationToken)
    {
        IChunkWriter? writer = null;
        try
        {
            var source = await _reader.ReadAsync(request.Id, request.Version, 0, -1, [request.Source],
                (data, ct) => writer!.WriteAsync(data, ct),
                (info, _) =>
                {
                    if (writer is not null)
                    {
                        throw new ChunkStoreException(ChunkError.Conflict, $"The copy of chunk {request.Id} from {request.Source} was interrupted.");
                    }
                    writer = service.Store.BeginWrite(request.Id, info.Version);
                    return ValueTask.CompletedTask;
                },
                cancellationToken);
            var local = await writer!.CommitAsync(cancellationToken);
            if (local.Checksum != source.Checksum || local.Length != source.Length)
            {
                service.Store.Delete(request.Id);
                throw new ChunkStoreException(ChunkError.Corrupt,
                    $"The copy of chunk {request.Id} from {request.Source} has CRC-32C {local.Checksum:x8} and {local.Length} bytes; the source has {source.Checksum:x8} and {source.Length}.");
            }
            Log.Copied(service.Logger, request.Id, local.Version, local.Length, request.Source.ToString());
            return local;
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }
}
