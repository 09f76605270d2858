using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>Collects one transaction's compares (each key and target once) and success operations.</summary>
internal sealed class TxnBuilder
{
    private readonly List<MetaCompare> _compares = [];
    private readonly List<MetaOp> _ops = [];
    private readonly HashSet<string> _compared = new(StringComparer.Ordinal);

    public int OpCount => _ops.Count;

    public void Compare(MetaCompare compare)
    {
        // A path walk and a rename's two walks share ancestors; one compare per key and target is enough.
        if (_compared.Add(Convert.ToHexString(compare.Key.Span) + "/" + (int)compare.Target))
        {
            _compares.Add(compare);
        }
    }

    /// <summary>The key is still as read: same incarnation, not written since.</summary>
    public void Unchanged(MetaKeyValue read) => Compare(MetaCompare.ModRevisionIs(read.Key, read.ModRevision));

    public void Missing(ReadOnlyMemory<byte> key) => Compare(MetaCompare.Missing(key));

    public void Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long leaseId = 0) => _ops.Add(MetaOp.Put(key, value, leaseId));

    public void Delete(ReadOnlyMemory<byte> key) => _ops.Add(MetaOp.Delete(key));

    public void DeleteRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) => _ops.Add(MetaOp.DeleteRange(start, end));

    public void DeletePrefix(ReadOnlyMemory<byte> prefix) => _ops.Add(MetaOp.DeletePrefix(prefix));

    public MetaTxn Build() => new(_compares, _ops, []);
}
