using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Dfs.Testing.Processes;

/// <summary>A child process started by a test, with its output captured and signals sent by its own handle.</summary>
/// <remarks>
/// <para>
/// Standard output and error are read line by line into a bounded in-memory log (the last
/// <c>maxLogLines</c> lines; stderr lines are marked). <see cref="WaitForLineAsync"/> matches lines already
/// captured and lines still to come, and fails early when the process exits first.
/// </para>
/// <para>
/// Signals go to the process this object started, by its pid, only while the process is known not to have
/// exited; the pid cannot be reused by another process until this process has been reaped, which happens
/// only after it exits (the residual race is the instant between that check and the signal).
/// <see cref="DisposeAsync"/> kills the process tree if it still runs, so a test never leaks a process.
/// Members are safe to call from any thread.
/// </para>
/// </remarks>
public sealed class NodeProcess : IAsyncDisposable
{
    /// <summary>The default number of output lines kept in memory.</summary>
    public const int DefaultMaxLogLines = 5000;

    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly Queue<string> _log = new();
    private readonly List<LineWaiter> _waiters = [];
    private readonly int _maxLogLines;
    private readonly Action<string>? _onLine;
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _linesSeen;
    private bool _disposed;

    private NodeProcess(Process process, string name, int maxLogLines, Action<string>? onLine)
    {
        _process = process;
        Name = name;
        _maxLogLines = maxLogLines;
        _onLine = onLine;
    }

    /// <summary>A short name used in messages (the app or executable name unless given).</summary>
    public string Name { get; }

    /// <summary>The operating-system process id.</summary>
    public int Pid { get; private set; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, or null while the process runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Total number of output lines seen (including those dropped from the bounded log).</summary>
    public long LinesSeen
    {
        get
        {
            lock (_lock)
            {
                return _linesSeen;
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="appDllPath"/> <paramref name="arguments"/></c>.</summary>
    /// <param name="appDllPath">The built app, usually from <see cref="BuiltApp.PathOf"/>.</param>
    /// <param name="arguments">Arguments passed to the app, each as one argument (no shell quoting).</param>
    /// <param name="environment">Variables to set; a null value removes the variable from the child's environment.</param>
    /// <param name="workingDirectory">The child's working directory; default the current one.</param>
    /// <param name="name">Name used in messages; default the dll's file name without extension.</param>
    /// <param name="maxLogLines">How many of the latest output lines to keep.</param>
    /// <param name="onLine">Called for every output line (for example to forward to the test output); must not block.</param>
    public static NodeProcess StartDotnetApp(
        string appDllPath,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null,
        int maxLogLines = DefaultMaxLogLines,
        Action<string>? onLine = null)
    {
        RequireBuiltApp(appDllPath);

        return Start(
            DotnetHost.Path,
            [appDllPath, .. arguments],
            environment,
            workingDirectory,
            name ?? Path.GetFileNameWithoutExtension(appDllPath),
            maxLogLines,
            onLine);
    }

    /// <summary>Starts <c>ip netns exec <paramref name="networkNamespace"/> dotnet <paramref name="appDllPath"/> <paramref name="arguments"/></c>.</summary>
    /// <remarks>
    /// <c>ip netns exec</c> enters the namespace and then execs the command in place (it does not fork), so
    /// <see cref="Pid"/> is the node's own process and signals (SIGKILL, SIGSTOP) reach the node itself.
    /// Other parameters as for <see cref="StartDotnetApp"/>.
    /// </remarks>
    public static NodeProcess StartDotnetAppInNamespace(
        string networkNamespace,
        string appDllPath,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null,
        int maxLogLines = DefaultMaxLogLines,
        Action<string>? onLine = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(networkNamespace);
        RequireBuiltApp(appDllPath);

        return Start(
            "ip",
            ["netns", "exec", networkNamespace, DotnetHost.Path, appDllPath, .. arguments],
            environment,
            workingDirectory,
            name ?? Path.GetFileNameWithoutExtension(appDllPath),
            maxLogLines,
            onLine);
    }

    /// <summary>Starts an executable with the given arguments (see <see cref="StartDotnetApp"/> for the parameters).</summary>
    public static NodeProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null,
        int maxLogLines = DefaultMaxLogLines,
        Action<string>? onLine = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLogLines, 1);
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    startInfo.Environment.Remove(key);
                }
                else
                {
                    startInfo.Environment[key] = value;
                }
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var node = new NodeProcess(process, name ?? Path.GetFileName(fileName), maxLogLines, onLine);
        process.OutputDataReceived += (_, e) => node.OnData(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => node.OnData(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        node.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>A snapshot of the captured output lines (stderr lines start with <c>[stderr] </c>).</summary>
    public IReadOnlyList<string> GetLogLines()
    {
        lock (_lock)
        {
            return [.. _log];
        }
    }

    /// <summary>The captured output as one text, for failure messages.</summary>
    public string GetCapturedOutput()
    {
        lock (_lock)
        {
            var dropped = _linesSeen - _log.Count;
            var text = new StringBuilder();
            if (dropped > 0)
            {
                text.Append("[… ").Append(dropped).AppendLine(" earlier lines dropped]");
            }

            foreach (var line in _log)
            {
                text.AppendLine(line);
            }

            return text.ToString();
        }
    }

    /// <summary>Waits until an output line (stdout or stderr, without the stderr mark) satisfies <paramref name="predicate"/>.</summary>
    /// <remarks>Lines still in the bounded log count, so a line printed before the call is found.</remarks>
    /// <returns>The first matching line.</returns>
    /// <exception cref="WaitTimeoutException">No such line within the timeout, or the process exited first; the message holds the output.</exception>
    public async Task<string> WaitForLineAsync(
        Func<string, bool> predicate,
        TimeSpan timeout,
        string? description = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new LineWaiter(predicate);
        lock (_lock)
        {
            foreach (var entry in _log)
            {
                var text = entry.StartsWith(StderrMark, StringComparison.Ordinal) ? entry[StderrMark.Length..] : entry;
                if (predicate(text))
                {
                    return text;
                }
            }

            _waiters.Add(waiter);
        }

        try
        {
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutCts.CancelAfter(timeout);
            var outputDone = Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
            var winner = await Task.WhenAny(waiter.Matched.Task, outputDone, Task.Delay(Timeout.Infinite, timeoutCts.Token)).ConfigureAwait(false);
            if (winner == waiter.Matched.Task)
            {
                return await waiter.Matched.Task.ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var what = description ?? "a matching output line";
            if (winner == outputDone)
            {
                // The output can close while the last line is being matched: the match takes precedence.
                if (waiter.Matched.Task.IsCompleted)
                {
                    return await waiter.Matched.Task.ConfigureAwait(false);
                }

                await WaitForExitCoreAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                throw new WaitTimeoutException(
                    $"{Name} (pid {Pid}) exited with code {ExitCode?.ToString() ?? "unknown"} before printing {what}; output:\n{GetCapturedOutput()}");
            }

            throw new WaitTimeoutException(
                $"{Name} (pid {Pid}) did not print {what} within {timeout.TotalMilliseconds:F0} ms; {(HasExited ? $"exited with code {ExitCode}" : "still running")}; output:\n{GetCapturedOutput()}");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for the process to exit and its output to be fully read.</summary>
    /// <returns>The exit code.</returns>
    /// <exception cref="WaitTimeoutException">The process still runs after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!await WaitForExitCoreAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new WaitTimeoutException(
                $"{Name} (pid {Pid}) did not exit within {timeout.TotalMilliseconds:F0} ms; output:\n{GetCapturedOutput()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process and its descendants at once (SIGKILL), by this object's handle.</summary>
    /// <remarks>Does nothing if the process has already exited. Does not wait; see <see cref="WaitForExitAsync"/>.</remarks>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) when (_process.HasExited)
        {
            // Exited on its own in the meantime.
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to exit.</summary>
    /// <returns>The exit code.</returns>
    /// <exception cref="WaitTimeoutException">The process still runs after <paramref name="timeout"/> (it is left running; dispose kills it).</exception>
    public async Task<int> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Signal(SigTerm);
        return await WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Freezes the process (SIGSTOP): it keeps its sockets and files but runs no code until <see cref="Resume"/>.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>Sends a POSIX signal to the process, unless it has already exited.</summary>
    /// <returns>False when the process had already exited.</returns>
    public bool Signal(int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("POSIX signals are sent only on Linux and macOS.");
        }

        if (_process.HasExited)
        {
            return false;
        }

        if (SysKill(Pid, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int NoSuchProcess = 3;
            if (errno == NoSuchProcess)
            {
                return false;
            }

            throw new Win32Exception(errno, $"kill({Pid}, {signal}) failed for {Name}.");
        }

        return true;
    }

    /// <summary>Kills the process tree if it still runs, waits briefly for it, and releases the handle.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        try
        {
            if (!_process.HasExited)
            {
                Kill();
                await WaitForExitCoreAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (pid {Pid}{(HasExited ? $", exited {ExitCode}" : string.Empty)})";

    private const string StderrMark = "[stderr] ";

    private async Task<bool> WaitForExitCoreAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            // Also waits until the redirected output has reached end of file.
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void OnData(string? line, bool isError)
    {
        if (line is null)
        {
            (isError ? _stderrClosed : _stdoutClosed).TrySetResult();
            return;
        }

        List<LineWaiter>? matched = null;
        lock (_lock)
        {
            _linesSeen++;
            _log.Enqueue(isError ? StderrMark + line : line);
            while (_log.Count > _maxLogLines)
            {
                _log.Dequeue();
            }

            foreach (var waiter in _waiters)
            {
                if (waiter.Predicate(line))
                {
                    (matched ??= []).Add(waiter);
                }
            }
        }

        if (matched is not null)
        {
            foreach (var waiter in matched)
            {
                waiter.Matched.TrySetResult(line);
            }
        }

        _onLine?.Invoke(isError ? StderrMark + line : line);
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which the build disallows; these are blittable ints.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private sealed class LineWaiter(Func<string, bool> predicate)
    {
        public Func<string, bool> Predicate { get; } = predicate;

        public TaskCompletionSource<string> Matched { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static void RequireBuiltApp(string appDllPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(appDllPath);
        if (!File.Exists(appDllPath))
        {
            throw new FileNotFoundException($"The app to start does not exist: {appDllPath}. Is its project referenced and built?", appDllPath);
        }
    }
}
