using System.Globalization;

namespace Dfs.Client.Chunks;

/// <summary>A chunk's cluster-wide identity, assigned by the master. Files on disk are named by it, never by a user path.</summary>
public readonly record struct ChunkId(ulong Value) : IComparable<ChunkId>
{
    public int CompareTo(ChunkId other) => Value.CompareTo(other.Value);

    /// <summary>Sixteen lowercase hex digits: the chunk's file name stem.</summary>
    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out ChunkId id)
    {
        ulong value = 0;
        var ok = text.Length == 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        id = new ChunkId(value);
        return ok;
    }
}
