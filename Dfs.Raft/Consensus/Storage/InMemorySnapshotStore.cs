namespace Dfs.Raft.Consensus.Storage;

/// <summary>A snapshot store in memory, for simulation and tests of the layers above.</summary>
/// <remarks>
/// <see cref="Save"/> is atomic and durable when it returns, as the contract promises, so
/// <see cref="Crash"/> loses nothing: a writer that throws leaves the previous snapshot in force. Only one
/// thread calls it at a time.
/// </remarks>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private volatile StoredSnapshot? _latest;

    /// <inheritdoc/>
    public (SnapshotMetadata Metadata, SnapshotPayload Payload)? Latest => _latest?.AsTuple();

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The snapshot is older than the latest one.</exception>
    public SnapshotPayload Save(SnapshotMetadata metadata, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(write);
        if (_latest is { } latest && metadata.Index < latest.Metadata.Index)
        {
            throw new ArgumentException(
                $"Snapshot at index {metadata.Index} is older than the latest one at {latest.Metadata.Index}.", nameof(metadata));
        }
        using var stream = new MemoryStream();
        write(stream);
        var payload = new MemorySnapshotPayload(stream.ToArray());
        _latest = new StoredSnapshot(metadata, payload);
        return payload;
    }

    /// <summary>Simulates a power loss: a saved snapshot is already durable, so nothing is lost.</summary>
    public void Crash(Random random) => ArgumentNullException.ThrowIfNull(random);
}
