namespace Dfs.Client.Metadata;

/// <summary>One kept version of a file.</summary>
/// <param name="Number">The version number (1 for the first commit, one more for each commit after).</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Checksum">CRC-32C of the whole content.</param>
/// <param name="CreatedMs">When the version was made (Unix milliseconds, the leader's clock).</param>
/// <param name="ContentType">The media type given at commit.</param>
/// <param name="Chunks">The chunks, in file order (none for an inline version).</param>
/// <param name="Inline">
/// A small file's whole content, kept in the version record itself instead of in chunks (exactly <paramref name="Size"/> bytes,
/// with no chunks); null for a chunked version.
/// </param>
public sealed record FileVersion(long Number, long Size, uint Checksum, long CreatedMs, string ContentType, IReadOnlyList<ChunkRef> Chunks,
    ReadOnlyMemory<byte>? Inline = null)
{
    /// <summary>True when the content lives in the version record (no chunk servers hold it).</summary>
    public bool IsInline => Inline is not null;
}
