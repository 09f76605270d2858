using System.Diagnostics;

namespace Dfs.Bench.Load;

/// <summary>Process helpers shared by the cluster controllers.</summary>
internal static class ProcessTools
{
    /// <summary>Starts a process whose output is appended to <paramref name="logPath"/>.</summary>
    public static Process Start(string fileName, IEnumerable<string> arguments, string logPath, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gate = new object();
        var closed = false;
        // Output can still arrive after Exited fires (the readers drain the pipes on their own threads): a line
        // that comes after the log is closed is dropped rather than written to a disposed writer.
        void Write(string? line)
        {
            lock (gate)
            {
                if (line is not null && !closed)
                {
                    log.WriteLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) => { lock (gate) { closed = true; log.Dispose(); } };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGKILLs the process with <paramref name="pid"/> if it still runs.</summary>
    public static void KillPid(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(5000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    /// <summary>Resident set size of a process from /proc, in bytes (0 if it is gone).</summary>
    public static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    return kb * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    /// <summary>Finds a file by walking up from the current folder and the app's folder.</summary>
    public static string? FindUpwards(string relativePath)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
