using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>The few system calls durable storage needs beyond what .NET exposes: fdatasync and fsync of a folder.</summary>
internal static class DurableIo
{
    private const int ReadOnly = 0;
    private const int LinuxCloseOnExec = 0x80000; // O_CLOEXEC on Linux x64 and arm64

    /// <summary>
    /// Makes the file's data (and the metadata needed to read it back, such as its length) durable. On Linux
    /// this is fdatasync, which skips the timestamp update that fsync (what <see cref="RandomAccess.FlushToDisk"/>
    /// calls) also writes; elsewhere it is <see cref="RandomAccess.FlushToDisk"/>.
    /// </summary>
    public static void FlushData(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (NativeMethods.FDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fdatasync failed with errno {errno}: the written data may not be durable.");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Makes the creation, removal and renaming of files in <paramref name="path"/> durable (fsync of the
    /// folder). Windows has no such call; NTFS journals its metadata, so it is a no-op there.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var name = Encoding.UTF8.GetBytes(Path.GetFullPath(path) + "\0");
        var fd = NativeMethods.Open(name, ReadOnly | (OperatingSystem.IsLinux() ? LinuxCloseOnExec : 0));
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open folder '{path}' to sync it (errno {errno}).");
        }
        try
        {
            if (NativeMethods.FSync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of folder '{path}' failed with errno {errno}: file creations or removals may not be durable.");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int FDataSync(int fd);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int FSync(int fd);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }
}
