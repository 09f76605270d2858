namespace Dfs.Client.Metadata;

/// <summary>A page of a directory listing, in UTF-8 byte order of names.</summary>
/// <param name="Entries">The entries.</param>
/// <param name="More">More entries follow; pass the last name as the next page's start-after.</param>
public sealed record DirectoryPage(IReadOnlyList<MetadataEntry> Entries, bool More);
