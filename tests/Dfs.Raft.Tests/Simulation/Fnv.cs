namespace Dfs.Raft.Tests.Simulation;

/// <summary>FNV-1a, 64-bit: a stable digest (string.GetHashCode is randomized per process).</summary>
internal static class Fnv
{
    public const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Hash(ReadOnlySpan<byte> bytes, ulong hash = Offset)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }
        return hash;
    }

    public static ulong Mix(ulong hash, long value)
    {
        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        }
        return hash;
    }

    public static ulong Mix(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }
        return hash;
    }
}
