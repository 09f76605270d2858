using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>A consistent view of the key space, handed to a <see cref="IMetadataKv.ReadAsync{T}"/> read.</summary>
/// <remarks>Every call on one view reads the same revision. Views are valid only inside the read that received them.</remarks>
public interface IKvView
{
    /// <summary>The store revision the view shows.</summary>
    long Revision { get; }

    /// <summary>The key-value at <paramref name="key"/>, or null when absent.</summary>
    MetaKeyValue? Get(ReadOnlySpan<byte> key);

    /// <summary>The keys in [<paramref name="start"/>, <paramref name="end"/>) in byte order (empty end = unbounded), at most <paramref name="limit"/> (0 = all).</summary>
    MetaRangePage Range(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit);
}
