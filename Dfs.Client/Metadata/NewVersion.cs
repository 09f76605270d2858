namespace Dfs.Client.Metadata;

/// <summary>The content of a version to commit.</summary>
/// <param name="Size">The file's size in bytes: the sum of the chunk lengths, or the length of <paramref name="Inline"/>.</param>
/// <param name="Checksum">CRC-32C of the whole content.</param>
/// <param name="CreatedMs">When the version was made (the leader's clock, Unix milliseconds).</param>
/// <param name="ContentType">A media type, at most 255 UTF-8 bytes (may be empty).</param>
/// <param name="Chunks">The chunks, in file order (none for an inline version).</param>
/// <param name="Inline">
/// A small file's whole content, committed into the version record in the same transaction (no chunk allocation, no chunk
/// server): 1 to <see cref="MaxInlineBytes"/> bytes (and at most the cluster's <c>inlineFileBytes</c>), with no chunks. Null
/// for a chunked version.
/// </param>
public sealed record NewVersion(long Size, uint Checksum, long CreatedMs, string ContentType, IReadOnlyList<ChunkRef> Chunks,
    ReadOnlyMemory<byte>? Inline = null)
{
    /// <summary>
    /// Largest inline content any cluster may configure (512 KiB): a commit's transaction writes it twice at most (the new
    /// current version and the one it replaces), which stays within the store's value and command limits.
    /// </summary>
    public const int MaxInlineBytes = 512 * 1024;

    /// <summary>Most chunks one version may list (keeps an inode within the store's value limit).</summary>
    public const int MaxChunks = 20_000;

    /// <summary>Longest content type, in UTF-8 bytes.</summary>
    public const int MaxContentTypeBytes = 255;

    /// <summary>Throws InvalidArgument unless the sizes add up and every field is in range.</summary>
    public void Validate()
    {
        if (ContentType is null || Chunks is null)
        {
            throw Bad("content type and chunk list are required");
        }
        if (Size < 0 || CreatedMs < 0)
        {
            throw Bad("size and creation time are not negative");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(ContentType) > MaxContentTypeBytes)
        {
            throw Bad($"a content type is at most {MaxContentTypeBytes} UTF-8 bytes");
        }
        if (Chunks.Count > MaxChunks)
        {
            throw Bad($"a version lists at most {MaxChunks} chunks");
        }
        if (Inline is { } inline)
        {
            if (Chunks.Count > 0)
            {
                throw Bad("an inline version lists no chunks");
            }
            if (inline.Length == 0 || inline.Length > MaxInlineBytes)
            {
                throw Bad($"inline content is 1 to {MaxInlineBytes} bytes (is {inline.Length})");
            }
            if (inline.Length != Size)
            {
                throw Bad($"the inline content's length is the size ({inline.Length} ≠ {Size})");
            }
            if (Dfs.Common.Hashing.Crc32C.Compute(inline.Span) != Checksum)
            {
                throw Bad("the checksum is the CRC-32C of the inline content");
            }
            return;
        }
        long total = 0;
        foreach (var chunk in Chunks)
        {
            if (chunk.Length < 0 || chunk.ChunkVersion < 0)
            {
                throw Bad("chunk lengths and versions are not negative");
            }
            total += chunk.Length;
        }
        if (total != Size)
        {
            throw Bad($"the chunk lengths add up to the size ({total} ≠ {Size})");
        }
    }

    private static MetadataException Bad(string rule) => new(MetadataErrorCode.InvalidArgument, $"Invalid version: {rule}.");
}
