using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>
/// Chunk replicas on one server's disk: data in blocks of at most 64 KiB, each with its CRC-32C, checked on
/// every read; a version per replica; nothing acknowledged before it is fsynced.
/// </summary>
/// <remarks>
/// A replica is readable only once committed. A replica being written (or interrupted by a crash) is
/// never listed or served; after a restart, interrupted writes are discarded or can be resumed by a
/// pipeline recovery from the offset every replica acknowledged. Safe for concurrent use on different
/// chunks; one writer per chunk at a time.
/// </remarks>
public interface IChunkStore
{
    /// <summary>Starts writing a new replica of <paramref name="id"/> at <paramref name="version"/>.</summary>
    /// <exception cref="ChunkStoreException">AlreadyExists if a committed replica of that or a newer version exists; DiskFull.</exception>
    IChunkWriter BeginWrite(ChunkId id, long version);

    /// <summary>
    /// Continues an interrupted write after a pipeline failure: keeps the first <paramref name="offset"/>
    /// bytes already written (every replica acknowledged them), drops anything after, and goes on at
    /// <paramref name="newVersion"/>, so a replica left out of the new pipeline is stale.
    /// </summary>
    /// <exception cref="ChunkStoreException">NotFound if no write of the chunk is pending; BadRange if fewer than <paramref name="offset"/> bytes are held.</exception>
    IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset);

    /// <summary>The committed replica's description, or null if this server holds none.</summary>
    ChunkInfo? TryGet(ChunkId id);

    /// <summary>Every committed replica.</summary>
    IReadOnlyList<ChunkInfo> List();

    /// <summary>
    /// The number of the store's last change to its committed replicas (a commit, a replacement, a removal). Read it before
    /// <see cref="List"/> and the listing includes every change up to it. 0 from a store that keeps no numbers.
    /// </summary>
    long ChangeSequence => 0;

    /// <summary>
    /// The replicas changed after change <paramref name="since"/>, each as it is now; null when the store does not remember
    /// that far back (or keeps no numbers), and the caller lists everything instead.
    /// </summary>
    ReplicaChanges? ChangesSince(long since) => null;

    /// <summary>
    /// Opens bytes [<paramref name="offset"/>, offset + <paramref name="length"/>) of a committed replica for
    /// reading; every block the range touches is verified before its bytes are returned.
    /// </summary>
    /// <param name="minimumVersion">The version the caller knows is current; an older replica is refused as stale.</param>
    /// <exception cref="ChunkStoreException">NotFound, StaleVersion, BadRange; Corrupt is raised by the reader when a block fails its check.</exception>
    IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length);

    /// <summary>Re-reads every block of a replica and checks it; false if any block is corrupt (the replica is then quarantined and no longer listed).</summary>
    ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken);

    /// <summary>Deletes a replica (garbage collection); a no-op if absent.</summary>
    void Delete(ChunkId id);

    StoreUsage GetUsage();
}

/// <summary>Writes one replica sequentially. Dispose without commit to abandon it.</summary>
public interface IChunkWriter : IAsyncDisposable
{
    ChunkId Id { get; }

    long Version { get; }

    /// <summary>Bytes written so far.</summary>
    long Length { get; }

    /// <summary>Appends bytes (any split; blocks are cut at 64 KiB boundaries internally).</summary>
    /// <exception cref="ChunkStoreException">DiskFull.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Appends bytes whose CRC-32C the caller already checked (a pipeline packet verified on arrival): a store
    /// may keep <paramref name="crc"/> as the block's checksum instead of computing it again when the bytes are
    /// exactly one block. The default ignores it.
    /// </summary>
    /// <exception cref="ChunkStoreException">DiskFull.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, uint crc, CancellationToken cancellationToken) => WriteAsync(data, cancellationToken);

    /// <summary>
    /// Appends packets in order, each with the CRC-32C the caller checked (see
    /// <see cref="WriteAsync(ReadOnlyMemory{byte}, uint, CancellationToken)"/>). A store on files writes them with one
    /// gather write: one system call, and the kernel takes page-cache memory for the whole run at once, which
    /// costs far less than taking it packet by packet. The default writes them one by one.
    /// </summary>
    /// <exception cref="ChunkStoreException">DiskFull.</exception>
    async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> packets, IReadOnlyList<uint> crcs, CancellationToken cancellationToken)
    {
        for (var i = 0; i < packets.Count; i++)
        {
            await WriteAsync(packets[i], crcs[i], cancellationToken);
        }
    }

    /// <summary>Makes the bytes written so far durable (fsync) without committing: the point at which a pipeline packet is acknowledged.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Makes the replica durable and readable; returns what heartbeats will report.</summary>
    ValueTask<ChunkInfo> CommitAsync(CancellationToken cancellationToken);
}

/// <summary>Reads verified bytes of a replica in order.</summary>
public interface IChunkReader : IAsyncDisposable
{
    ChunkInfo Chunk { get; }

    /// <summary>Bytes left to read.</summary>
    long Remaining { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length verified bytes; 0 at the end of the range.</summary>
    /// <exception cref="ChunkStoreException">Corrupt: a block failed its checksum; nothing of it is returned.</exception>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="buffer"/>.Length verified bytes and returns them with their CRC-32C, so a
    /// caller that sends them on need not checksum them again; 0 bytes at the end of the range.
    /// </summary>
    /// <remarks>
    /// A store that reads a whole block straight into <paramref name="buffer"/> returns the block's own
    /// verified CRC and copies nothing; the default reads through <see cref="ReadAsync"/> and computes it.
    /// </remarks>
    /// <exception cref="ChunkStoreException">Corrupt: a block failed its checksum; nothing of it is returned.</exception>
    async ValueTask<VerifiedRead> ReadVerifiedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(buffer, cancellationToken);
        return new VerifiedRead(read, Dfs.Common.Hashing.Crc32C.Compute(buffer.Span[..read]));
    }
}

/// <summary>Bytes read by <see cref="IChunkReader.ReadVerifiedAsync"/> and their CRC-32C.</summary>
public readonly record struct VerifiedRead(int Count, uint Crc);
