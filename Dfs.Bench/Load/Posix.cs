using System.Runtime.InteropServices;

namespace Dfs.Bench.Load;

/// <summary>Signals for processes this tool started, by their own process id.</summary>
internal static class Posix
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM: the process may shut down gracefully.</summary>
    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
