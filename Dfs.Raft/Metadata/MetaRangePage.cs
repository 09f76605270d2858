using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>A page of keys read from a view.</summary>
/// <param name="Items">The keys, in byte order.</param>
/// <param name="More">More keys in the range lay beyond the limit.</param>
public sealed record MetaRangePage(IReadOnlyList<MetaKeyValue> Items, bool More);
