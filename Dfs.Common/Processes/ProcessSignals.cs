using System.Runtime.InteropServices;

namespace Dfs.Common.Processes;

/// <summary>POSIX signals to a process by its own id (never by name).</summary>
public static class ProcessSignals
{
    private const int SigTerm = 15;


    /// <summary>Sends SIGTERM so the process can shut down gracefully; false if it no longer exists.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    /// <summary>True while a process with <paramref name="pid"/> exists (signal 0 probes without signalling).</summary>
    public static bool Exists(int pid) => Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == PermissionDenied;

    private const int PermissionDenied = 1; // EPERM: it exists but belongs to someone else

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
