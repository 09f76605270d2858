using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Configuration;
using Dfs.Common.Processes;

namespace Dfs.Bench.Load;

/// <summary>
/// A whole cluster started the way a person starts it: <c>dotnet Dfs.Gateway.dll --config FILE</c>, which launches three
/// masters and three chunk servers as its children. The config, the nodes' data and the log live in a scratch folder
/// that <see cref="DisposeAsync"/> removes after SIGTERMing the gateway (which stops its children).
/// </summary>
internal sealed class GatewayCluster : IAsyncDisposable
{
    private const string ReadyLine = "Dfs gateway ready";

    private readonly string _folder;
    private readonly string _logPath;
    private readonly Process _gateway;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StreamWriter _log;
    private readonly object _logGate = new();
    private Process[] _nodes = [];
    private PosixSignalRegistration? _sigterm;

    private GatewayCluster(string folder, ClusterConfig config, Process gateway, StreamWriter log, string logPath)
    {
        _folder = folder;
        Config = config;
        _gateway = gateway;
        _log = log;
        _logPath = logPath;
    }

    public ClusterConfig Config { get; }

    /// <summary>The gateway process id (its /proc entry gives its memory high-water mark).</summary>
    public int GatewayPid => _gateway.Id;

    public Uri BaseAddress => new($"http://{Config.Gateway.Host}:{Config.Gateway.Port}/");

    /// <summary>The chunk servers' endpoints in config order: the chain a bare pipeline write uses.</summary>
    public IReadOnlyList<ChunkEndpoint> ChunkEndpoints => Config.ChunkServers.Select(c => new ChunkEndpoint(c.Host, c.Port)).ToArray();

    /// <summary>Writes the config (OS-picked free ports) into <paramref name="folder"/> and starts the gateway with it.</summary>
    /// <param name="inlineFileBytes">The cluster's <c>inlineFileBytes</c>: files up to this size are kept in the metadata store (0: none).</param>
    public static GatewayCluster Start(string folder, long chunkBytes, int inlineFileBytes)
    {
        Directory.CreateDirectory(folder);
        var ports = FreePorts(3 * 2 + 3 + 1);
        var config = new ClusterConfig
        {
            ReplicationFactor = 3,
            ChunkSizeBytes = chunkBytes,
            InlineFileBytes = inlineFileBytes,
            // Rounds rewrite the same path; one kept version lets the old chunks go instead of filling the disk.
            VersionsKept = 1,
            DataDir = "data",
            // The timing of the repository's config.json for a local cluster.
            ElectionTimeoutMs = 200,
            HeartbeatIntervalMs = 40,
            Masters = Enumerable.Range(0, 3).Select(i => new MasterNodeConfig
            {
                Id = $"m{i + 1}",
                Host = "127.0.0.1",
                RaftPort = ports[2 * i],
                ApiPort = ports[2 * i + 1],
            }).ToArray(),
            ChunkServers = Enumerable.Range(0, 3).Select(i => new ChunkServerNodeConfig
            {
                Id = $"c{i + 1}",
                Host = "127.0.0.1",
                Port = ports[6 + i],
            }).ToArray(),
            Gateway = new GatewayConfig { Host = "127.0.0.1", Port = ports[9] },
        };
        var configPath = Path.Combine(folder, "config.json");
        config.Save(configPath);

        var gatewayDll = FindGateway();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        info.ArgumentList.Add(gatewayDll);
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(configPath);
        var logPath = Path.Combine(folder, "gateway.log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start dotnet {gatewayDll}.");
        var cluster = new GatewayCluster(folder, config with { BaseDirectory = folder }, process, log, logPath);
        process.OutputDataReceived += (_, e) => cluster.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => cluster.OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => cluster._ready.TrySetException(new InvalidOperationException($"The gateway exited with code {process.ExitCode} before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += cluster.OnBenchExit;
        // SIGTERM ends the bench without ProcessExit: its handler stops the gateway, then the signal takes its course.
        cluster._sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => cluster.OnBenchExit(null, EventArgs.Empty));
        return cluster;
    }

    /// <summary>A bench ended early (SIGTERM, a crash) skips its disposals: the gateway is told to stop (it stops its children) on the way out.</summary>
    private void OnBenchExit(object? sender, EventArgs e)
    {
        if (!_gateway.HasExited)
        {
            ProcessSignals.Terminate(_gateway.Id);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logGate)
        {
            _log.WriteLine(line);
        }
        if (line.Contains(ReadyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>Waits for the gateway's ready line, then learns the node processes' ids from <c>/api/cluster</c>.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The gateway was not ready within {timeout}: {e.Message} Last log lines:{Environment.NewLine}{LogTail(30)}", e);
        }
        using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(BaseAddress, "api/cluster")));
        _nodes = status.RootElement.GetProperty("masters").EnumerateArray()
            .Concat(status.RootElement.GetProperty("chunkServers").EnumerateArray())
            .Where(n => n.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number)
            .Select(n => Process.GetProcessById(n.GetProperty("pid").GetInt32()))
            .ToArray();
        ChunkServerPids = status.RootElement.GetProperty("chunkServers").EnumerateArray().Select(n => n.GetProperty("pid").GetInt32()).ToArray();
    }

    /// <summary>The chunk servers' process ids, known once ready.</summary>
    public IReadOnlyList<int> ChunkServerPids { get; private set; } = [];

    /// <summary>
    /// CPU time used so far by the gateway, by the chunk servers together and by the masters together, and the part of the
    /// chunk servers' time spent in the kernel (system calls: fsync, file and socket I/O).
    /// </summary>
    public (TimeSpan Gateway, TimeSpan ChunkServers, TimeSpan Masters, TimeSpan ChunkServersKernel) CpuTimes()
    {
        _gateway.Refresh();
        var chunkServers = TimeSpan.Zero;
        var kernel = TimeSpan.Zero;
        var masters = TimeSpan.Zero;
        foreach (var node in _nodes)
        {
            node.Refresh();
            if (ChunkServerPids.Contains(node.Id))
            {
                chunkServers += node.TotalProcessorTime;
                kernel += node.PrivilegedProcessorTime;
            }
            else
            {
                masters += node.TotalProcessorTime;
            }
        }
        return (_gateway.TotalProcessorTime, chunkServers, masters, kernel);
    }

    /// <summary>A line of <c>/proc/{gateway}/status</c> (VmHWM, VmRSS) in bytes.</summary>
    public long GatewayMemory(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_gateway.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"/proc/{_gateway.Id}/status has no {field} line.");
    }

    private string LogTail(int lines)
    {
        lock (_logGate)
        {
            _log.Flush();
        }
        using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var all = reader.ReadToEnd().Split('\n');
        return string.Join(Environment.NewLine, all.TakeLast(lines));
    }

    /// <summary>The gateway's dll: beside this program, else in Dfs.Gateway's own build output of the same configuration.</summary>
    private static string FindGateway()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Dfs.Gateway.dll");
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")))
        {
            return beside;
        }
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Release";
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Dfs.Gateway", "bin", configuration, framework, "Dfs.Gateway.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"Dfs.Gateway.dll is neither beside {AppContext.BaseDirectory} nor in Dfs.Gateway/bin/{configuration}/{framework}; build Dfs.Bench (it builds the gateway).");
    }

    /// <summary>Ports the OS hands out as free, all held at once so none repeats, then released for the nodes.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>SIGTERM to the gateway (it stops every child), SIGKILL of its tree if it lingers, then the scratch folder goes.</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnBenchExit;
        _sigterm?.Dispose();
        if (!_gateway.HasExited)
        {
            ProcessSignals.Terminate(_gateway.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _gateway.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("The gateway did not stop within 30 s of SIGTERM; killing it and its children.");
                _gateway.Kill(entireProcessTree: true);
                await _gateway.WaitForExitAsync();
            }
        }
        foreach (var node in _nodes)
        {
            if (!node.WaitForExit(10_000))
            {
                Console.WriteLine($"Node process {node.Id} outlived the gateway; killing it.");
                node.Kill();
            }
            node.Dispose();
        }
        _gateway.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
