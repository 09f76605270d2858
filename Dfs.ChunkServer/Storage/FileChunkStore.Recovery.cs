using System.Globalization;
using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Storage;

public sealed partial class FileChunkStore
{
    /// <summary>
    /// Rebuilds the catalogue from the folder after a clean stop or a crash: a replica is served only if its meta
    /// is valid and its data file has exactly the recorded length; anything else is moved aside or deleted.
    /// </summary>
    private void Recover()
    {
        foreach (var temp in Directory.EnumerateFiles(_chunksDir, "*.tmp"))
        {
            File.Delete(temp);
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metaPath in Directory.EnumerateFiles(_chunksDir, "*.meta"))
        {
            if (!ChunkId.TryParse(Path.GetFileNameWithoutExtension(metaPath), out var id))
            {
                continue;
            }
            var meta = ChunkMeta.TryDecode(File.ReadAllBytes(metaPath), id, out var problem);
            if (meta is null)
            {
                Log.ReplicaRejectedAtOpen(_logger, id, problem!);
                MoveAside(metaPath, null, problem!, id, -1);
                continue;
            }
            var dataPath = DataPath(id, meta.Version);
            var info = new FileInfo(dataPath);
            if (!info.Exists || info.Length != meta.Length)
            {
                var reason = info.Exists
                    ? $"its data file holds {info.Length} bytes but the meta records {meta.Length}"
                    : "its data file is missing";
                Log.ReplicaRejectedAtOpen(_logger, id, reason);
                MoveAside(metaPath, info.Exists ? dataPath : null, reason, id, meta.Version);
                continue;
            }
            referenced.Add(dataPath);
            _replicas[id] = new Replica(meta, dataPath, metaPath);
            _usedBytes += meta.Length;
        }

        // Data files without a valid meta were never committed (or were replaced): nothing refers to them.
        foreach (var dataPath in Directory.EnumerateFiles(_chunksDir, "*.data"))
        {
            if (!referenced.Contains(dataPath))
            {
                Log.PendingDiscardedAtOpen(_logger, dataPath, "a data file that no valid meta refers to");
                File.Delete(dataPath);
            }
        }

        RecoverPending();
        DirectorySync.Flush(_chunksDir);
        DirectorySync.Flush(_pendingDir);
        Log.StoreOpened(_logger, _root, _replicas.Count, _usedBytes, _pending.Count);
    }

    private void RecoverPending()
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var candidates = Directory.EnumerateFiles(_pendingDir, "*.data")
            .Select(path => (Path: path, Parsed: TryParsePendingName(path)))
            .Where(c => c.Parsed is not null)
            .OrderByDescending(c => c.Parsed!.Value.Version);
        foreach (var (path, parsed) in candidates)
        {
            var (id, version) = parsed!.Value;
            var stem = path[..^".data".Length];
            string? reason = null;
            PendingSidecar? sidecar = null;
            if (_pending.ContainsKey(id))
            {
                reason = "a newer pending write of the same chunk exists";
            }
            else if (_replicas.TryGetValue(id, out var committed) && committed.Meta.Version >= version)
            {
                reason = $"version {committed.Meta.Version} is committed";
            }
            else if ((sidecar = PendingSidecar.ReadNewest(stem, id, version)) is null)
            {
                reason = "no valid CRC record: nothing of it was acknowledged";
            }
            else if (new FileInfo(path).Length < sidecar.Length)
            {
                reason = $"the data file is shorter than the {sidecar.Length} durable bytes recorded";
            }
            if (reason is not null)
            {
                Log.PendingDiscardedAtOpen(_logger, path, reason);
                File.Delete(path);
                PendingSidecar.DeleteSlots(stem);
                continue;
            }
            var fileLength = new FileInfo(path).Length;
            var pending = new PendingFile(id, version, stem)
            {
                Length = fileLength,
                RecordedLength = sidecar!.Length,
                FlushedLength = fileLength,
                SidecarLength = sidecar.Length,
                FullBlockCrcs = [.. sidecar.BlockCrcs],
                TailState = ~sidecar.TailCrc,
                Sequence = sidecar.Sequence,
                HasSidecar = true,
            };
            _pending[id] = pending;
            _usedBytes += fileLength;
            kept.Add(stem);
        }

        foreach (var slot in Directory.EnumerateFiles(_pendingDir, "*.crc?"))
        {
            if (!kept.Contains(slot[..^".crc0".Length]))
            {
                File.Delete(slot);
            }
        }
    }

    private static (ChunkId Id, long Version)? TryParsePendingName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0
            || !ChunkId.TryParse(name[..dot], out var id)
            || !long.TryParse(name[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return null;
        }
        return (id, version);
    }
}
