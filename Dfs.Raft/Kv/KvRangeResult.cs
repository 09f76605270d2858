using Dfs.Client.Kv;

namespace Dfs.Raft.Kv;

/// <summary>A page of keys read from the store.</summary>
/// <param name="Items">The keys in order.</param>
/// <param name="More">More keys in the range lay beyond the limit.</param>
/// <param name="Revision">The store revision the page was read at.</param>
public sealed record KvRangeResult(IReadOnlyList<KvKeyValue> Items, bool More, long Revision);
