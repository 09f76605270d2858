using Microsoft.Win32.SafeHandles;

namespace Dfs.Client.Chunks;

/// <summary>Positional reads that fill their buffer, shared by the store and the short-circuit reader.</summary>
public static class FileReads
{
    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long fileOffset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], fileOffset + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
