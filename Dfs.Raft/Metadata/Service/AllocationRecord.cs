namespace Dfs.Raft.Metadata.Service;

/// <summary>A chunk allocated for a write and not yet committed: when, at which chunk version, and whether garbage collection has claimed it.</summary>
/// <param name="CreatedMs">When it was allocated (the leader's clock, Unix ms).</param>
/// <param name="Version">The chunk version writers must write and the commit must name.</param>
/// <param name="Collecting">Collection has begun: the chunk is an orphan being deleted, and no commit may take it.</param>
internal sealed record AllocationRecord(long CreatedMs, long Version, bool Collecting)
{
    public byte[] Encode()
    {
        var writer = new MetadataWriter();
        writer.VarLong(CreatedMs);
        writer.VarLong(Version);
        writer.Byte(Collecting ? (byte)1 : (byte)0);
        return writer.ToArray();
    }

    public static AllocationRecord Decode(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        return new AllocationRecord(reader.VarLong(), reader.VarLong(), reader.Byte() != 0);
    }
}
