using System.Diagnostics;
using Dfs.Common.Processes;

namespace Dfs.Gateway.Launcher;

/// <summary>
/// One master or chunk server run as a child process of the launcher, its output forwarded to the
/// launcher's console with the node id in front.
/// </summary>
public sealed class ChildNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildNode(string id, Process process)
    {
        Id = id;
        _process = process;
    }

    public string Id { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the node prints its ready line; faults if it exits first.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Starts <c>dotnet {dll} --config {config} --id {id} --parent-pid {this process}</c>.</summary>
    public static ChildNode Start(string dllPath, string configPath, string id, TextWriter console)
    {
        var info = new ProcessStartInfo("dotnet");
        // The node follows the launcher's end (--parent-pid), however the launcher stops.
        foreach (var argument in new[] { dllPath, "--config", configPath, "--id", id, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }
        return Start(info, id, console);
    }

    /// <summary>Starts <paramref name="info"/> as node <paramref name="id"/>: ready once it prints <c>"&lt;kind&gt; {id} ready"</c>.</summary>
    public static ChildNode Start(ProcessStartInfo info, string id, TextWriter console)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName} for {id}.");
        var node = new ChildNode(id, process);
        process.EnableRaisingEvents = true;
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data, console);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data, console);
        process.Exited += (_, _) => node._ready.TrySetException(
            new InvalidOperationException($"{id} exited with code {process.ExitCode} before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void OnLine(string? line, TextWriter console)
    {
        if (line is null)
        {
            return;
        }
        lock (console)
        {
            console.WriteLine($"[{Id}] {line}");
        }
        // Every node process announces "<kind> <id> ready ..." once it serves.
        if (line.Contains($" {Id} ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>Asks the node to stop (SIGTERM), then kills it if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        ProcessSignals.Terminate(_process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
