using System.Buffers;
using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Storage;

public sealed partial class FileChunkStore
{
    /// <summary>
    /// Re-reads the first <paramref name="offset"/> bytes of a pending write, checks them against the CRCs recorded
    /// for them, rebuilds the running CRC state for exactly that prefix, and cuts the file there.
    /// </summary>
    /// <remarks>
    /// After a restart the recorded CRCs may cover less than the data file holds (the sidecar is fsynced every
    /// <see cref="SidecarSyncBytes"/>); bytes past them were fsynced before any acknowledgement covering them and
    /// are taken as found.
    /// </remarks>
    private void VerifyAndTruncateLocked(PendingFile pending, long offset)
    {
        var handle = pending.Handle!;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkLayout.BlockSize);
        try
        {
            var tail = uint.MaxValue;
            var blocks = ChunkLayout.BlockCount(offset);
            var full = new List<uint>(blocks);
            for (var block = 0; block < blocks; block++)
            {
                var start = (long)block * ChunkLayout.BlockSize;
                // A recorded CRC covers the block as far as the write had gone; the kept part may be a prefix of that.
                var recorded = (int)Math.Clamp(pending.RecordedLength - start, 0, ChunkLayout.BlockSize);
                var keep = (int)Math.Min(ChunkLayout.BlockSize, offset - start);
                var span = buffer.AsSpan(0, Math.Max(recorded, keep));
                if (FileReads.ReadFully(handle, span, start) != span.Length)
                {
                    throw new ChunkStoreException(ChunkError.Corrupt, $"The pending data of chunk {pending.Id} is shorter than the {pending.Length} bytes recorded for it.");
                }
                if (recorded > 0)
                {
                    var expected = block < pending.FullBlockCrcs.Count ? pending.FullBlockCrcs[block] : ~pending.TailState;
                    if (Crc32C.Compute(span[..recorded]) != expected)
                    {
                        throw new ChunkStoreException(ChunkError.Corrupt, $"Block {block} of the pending write of chunk {pending.Id} fails its CRC-32C check; it cannot be resumed.");
                    }
                }
                var kept = span[..keep];
                if (keep == ChunkLayout.BlockSize)
                {
                    full.Add(Crc32C.Compute(kept));
                }
                else
                {
                    tail = Crc32C.Append(uint.MaxValue, kept);
                }
            }
            RandomAccess.SetLength(handle, offset);
            RandomAccess.FlushToDisk(handle);
            Interlocked.Add(ref _usedBytes, offset - pending.Length);
            pending.Length = offset;
            pending.RecordedLength = offset;
            pending.FlushedLength = offset;
            pending.FullBlockCrcs = full;
            pending.TailState = tail;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Writer(FileChunkStore store, PendingFile pending) : IChunkWriter
    {
        private bool _failed;
        private bool _done;

        public ChunkId Id => pending.Id;

        public long Version { get; } = pending.Version;

        public long Length
        {
            get
            {
                lock (pending)
                {
                    return pending.Length;
                }
            }
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            Write([data], null, cancellationToken);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, uint crc, CancellationToken cancellationToken) =>
            Write([data], [crc], cancellationToken);

        public ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> packets, IReadOnlyList<uint> crcs, CancellationToken cancellationToken)
        {
            if (packets.Count != crcs.Count)
            {
                throw new ArgumentException($"{packets.Count} packets came with {crcs.Count} checksums.", nameof(crcs));
            }
            return Write(packets, crcs, cancellationToken);
        }

        /// <summary>Appends the packets with one (gather) write; <paramref name="crcs"/>, when given, are their checked CRC-32Cs.</summary>
        private ValueTask Write(IReadOnlyList<ReadOnlyMemory<byte>> packets, IReadOnlyList<uint>? crcs, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var total = 0L;
            foreach (var packet in packets)
            {
                total += packet.Length;
            }
            lock (pending)
            {
                CheckOwnedLocked();
                if (total == 0)
                {
                    return ValueTask.CompletedTask;
                }
                var refusal = store.TryReserve(total);
                if (refusal is not null)
                {
                    Fail(refusal);
                }
                try
                {
                    RandomAccess.Write(pending.Handle!, packets, pending.Length);
                }
                catch (IOException e) when (IsDiskFull(e))
                {
                    Interlocked.Add(ref store._usedBytes, -total);
                    Fail(e.Message);
                }
                for (var i = 0; i < packets.Count; i++)
                {
                    Append(packets[i].Span, crcs?[i]);
                }
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (pending)
            {
                CheckOwnedLocked();
                if (pending.FlushedLength == pending.Length && pending.HasSidecar)
                {
                    return ValueTask.CompletedTask;
                }
                RandomAccess.FlushToDisk(pending.Handle!);
                pending.FlushedLength = pending.Length;
                // The sidecar only lets a resume after a restart check the bytes it already holds; refreshing it
                // every SidecarSyncBytes instead of on every flush halves the fsyncs of a pipeline ack.
                if (!pending.HasSidecar || pending.Length - pending.SidecarLength >= SidecarSyncBytes)
                {
                    pending.Sequence++;
                    store.WriteSidecarLocked(pending, pending.Stem, pending.Version);
                }
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<ChunkInfo> CommitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ChunkMeta meta;
            lock (store.Stripe(Id))
            {
                lock (pending)
                {
                    CheckOwnedLocked();
                    ChunkMeta? replaced;
                    lock (store._gate)
                    {
                        store._replicas.TryGetValue(Id, out var existing);
                        if (existing is not null && existing.Meta.Version >= Version)
                        {
                            throw new ChunkStoreException(
                                ChunkError.AlreadyExists,
                                $"Chunk {Id} was committed at version {existing.Meta.Version} meanwhile; version {Version} is not committed.");
                        }
                        replaced = existing?.Meta;
                    }
                    var crcs = new uint[ChunkLayout.BlockCount(pending.Length)];
                    pending.FullBlockCrcs.CopyTo(crcs);
                    if (crcs.Length > pending.FullBlockCrcs.Count)
                    {
                        crcs[^1] = ~pending.TailState;
                    }
                    meta = new ChunkMeta(Id, Version, pending.Length, crcs, ChunkLayout.WholeChecksum(crcs, pending.Length));

                    var handle = pending.Handle!;
                    RandomAccess.FlushToDisk(handle);
                    handle.Dispose();
                    pending.Handle = null;
                    var dataPath = store.DataPath(Id, Version);
                    var metaPath = store.MetaPath(Id);
                    File.Move(pending.DataPath, dataPath, overwrite: true);
                    var temp = metaPath + ".tmp";
                    using (var metaHandle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
                    {
                        RandomAccess.Write(metaHandle, meta.Encode(), 0);
                        RandomAccess.FlushToDisk(metaHandle);
                    }
                    File.Move(temp, metaPath, overwrite: true);
                    DirectorySync.Flush(store._chunksDir);

                    lock (store._gate)
                    {
                        store._replicas[Id] = new Replica(meta, dataPath, metaPath);
                        store._changes.Note(Id);
                        store._pending.Remove(Id);
                    }
                    pending.Owner = null;
                    pending.Discarded = true;
                    _done = true;
                    if (replaced is not null)
                    {
                        Interlocked.Add(ref store._usedBytes, -replaced.Length);
                        File.Delete(store.DataPath(Id, replaced.Version));
                    }
                    PendingSidecar.DeleteSlots(pending.Stem);
                    DirectorySync.Flush(store._pendingDir);
                }
            }
            Log.ReplicaCommitted(store._logger, Id, Version, meta.Length);
            return ValueTask.FromResult(meta.Info);
        }

        public ValueTask DisposeAsync()
        {
            lock (pending)
            {
                if (!_done && ReferenceEquals(pending.Owner, this))
                {
                    if (_failed)
                    {
                        store.DiscardLocked(pending);
                    }
                    else
                    {
                        // An abandoned write stays pending (its file closed) so a pipeline recovery can resume it.
                        pending.Owner = null;
                        pending.Handle?.Dispose();
                        pending.Handle = null;
                    }
                }
                _done = true;
            }
            return ValueTask.CompletedTask;
        }

        /// <param name="crc">The bytes' checked CRC-32C, if known; taken as the block's when they are exactly one block.</param>
        private void Append(ReadOnlySpan<byte> data, uint? crc)
        {
            if (crc is { } known && data.Length == ChunkLayout.BlockSize && pending.Length % ChunkLayout.BlockSize == 0)
            {
                pending.FullBlockCrcs.Add(known);
                pending.Length += data.Length;
                pending.RecordedLength = pending.Length;
                return;
            }
            while (!data.IsEmpty)
            {
                var inBlock = (int)(pending.Length % ChunkLayout.BlockSize);
                var take = Math.Min(ChunkLayout.BlockSize - inBlock, data.Length);
                pending.TailState = Crc32C.Append(pending.TailState, data[..take]);
                pending.Length += take;
                pending.RecordedLength = pending.Length;
                data = data[take..];
                if (inBlock + take == ChunkLayout.BlockSize)
                {
                    pending.FullBlockCrcs.Add(~pending.TailState);
                    pending.TailState = uint.MaxValue;
                }
            }
        }

        private void Fail(string reason)
        {
            _failed = true;
            Log.WriteRefusedDiskFull(store._logger, Id, reason);
            throw new ChunkStoreException(ChunkError.DiskFull, $"Chunk {Id} cannot be written: {reason}. Dispose the writer; nothing of it is kept.");
        }

        private void CheckOwnedLocked()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_failed)
            {
                throw new ChunkStoreException(ChunkError.DiskFull, $"The write of chunk {Id} failed for lack of space; dispose the writer.");
            }
            if (!ReferenceEquals(pending.Owner, this) || pending.Discarded)
            {
                throw ChunkLayout.Superseded(Id);
            }
        }
    }
}
