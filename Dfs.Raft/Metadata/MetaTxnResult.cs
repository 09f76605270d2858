using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>What a transaction did.</summary>
/// <param name="Succeeded">Every compare held and the success branch ran.</param>
/// <param name="Revision">The store revision after the transaction.</param>
/// <param name="Responses">One result per operation of the branch that ran.</param>
public sealed record MetaTxnResult(bool Succeeded, long Revision, IReadOnlyList<MetaOpResult> Responses);

/// <summary>What one transaction operation returned.</summary>
/// <param name="Items">Get/Range: the keys read.</param>
/// <param name="More">Range: more keys lay beyond the limit.</param>
/// <param name="Deleted">Delete/DeleteRange: keys deleted.</param>
public sealed record MetaOpResult(IReadOnlyList<MetaKeyValue> Items, bool More, long Deleted);
