using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Dfs.Testing.Network;

/// <summary>
/// One Linux network namespace per node, each with its own address in 192.0.2.0/24 (a documentation range),
/// joined by veth pairs to a bridge that lives in a namespace of its own: a small private network that nothing
/// can leave, where a node's link can be cut and healed like a pulled cable.
/// </summary>
/// <remarks>
/// <para>
/// Names are <c>dfsn{run}-{node}</c> and <c>dfsn{run}-br</c>, where <c>{run}</c> is a short random id, so parallel
/// runs never collide; every interface is created directly inside its namespace (nothing ever appears in the
/// machine's own namespace), so the per-namespace names can be short and fixed (<c>eth0</c> on a node, the node's
/// name on the bridge). Deleting a node's namespace deletes its veth pair with it.
/// </para>
/// <para>
/// Each run records its owner's process id in <c>{temp}/dfs-netns-runs/{run}</c> before it creates anything;
/// <see cref="SweepStale"/> removes only namespaces of this prefix whose owner is gone (a test host killed
/// before it could clean up). Needs root and <c>ip</c> (iproute2).
/// </para>
/// </remarks>
public sealed class NetworkNamespaces : IDisposable
{
    /// <summary>Every namespace made by this class starts with it.</summary>
    public const string Prefix = "dfsn";

    private const string BridgeName = "br0";
    private static readonly string RunsDirectory = Path.Combine(Path.GetTempPath(), "dfs-netns-runs");

    private readonly Dictionary<string, (string Namespace, string Address)> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _created = [];
    private bool _disposed;

    private NetworkNamespaces(string runId)
    {
        RunId = runId;
        BridgeNamespace = $"{Prefix}{runId}-br";
    }

    /// <summary>The short random id in every name of this run.</summary>
    public string RunId { get; }

    /// <summary>The namespace holding the bridge.</summary>
    public string BridgeNamespace { get; }

    /// <summary>The nodes, in the order given.</summary>
    public IReadOnlyList<string> Nodes => [.. _nodes.Keys];

    /// <summary>Why namespaces cannot be made here, or null when they can (root and <c>ip</c> present).</summary>
    public static string? Unsupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces exist only on Linux";
        }

        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root")
        {
            return "creating network namespaces needs root";
        }

        try
        {
            Run("ip", "netns", "list");
            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"ip (iproute2) is not usable: {e.Message}";
        }
    }

    /// <summary>Creates the bridge namespace and one namespace per node, addresses 192.0.2.10, .11, … in order.</summary>
    /// <param name="nodes">Node names (letters, digits and '-', at most 10 characters).</param>
    public static NetworkNamespaces Create(IReadOnlyList<string> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count is 0 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes.Count, "Between 1 and 200 nodes.");
        }

        SweepStale();
        var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var network = new NetworkNamespaces(runId);
        Directory.CreateDirectory(RunsDirectory);
        File.WriteAllText(Path.Combine(RunsDirectory, runId), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            network.AddNamespace(network.BridgeNamespace);
            Run("ip", "-n", network.BridgeNamespace, "link", "add", BridgeName, "type", "bridge");
            Run("ip", "-n", network.BridgeNamespace, "link", "set", BridgeName, "up");
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = nodes[i];
                if (node.Length is 0 or > 10 || !node.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    throw new ArgumentException($"Node name '{node}' must be 1-10 letters, digits or '-'.", nameof(nodes));
                }

                var ns = $"{Prefix}{runId}-{node}";
                var address = $"192.0.2.{10 + i}";
                network.AddNamespace(ns);
                // The pair is born inside the two namespaces: its bridge end is named after the node, its node end eth0.
                Run("ip", "-n", network.BridgeNamespace, "link", "add", node, "type", "veth", "peer", "name", "eth0", "netns", ns);
                Run("ip", "-n", network.BridgeNamespace, "link", "set", node, "master", BridgeName, "up");
                Run("ip", "-n", ns, "link", "set", "lo", "up");
                Run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
                Run("ip", "-n", ns, "link", "set", "eth0", "up");
                network._nodes.Add(node, (ns, address));
            }
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }

    /// <summary>The namespace node <paramref name="node"/> runs in.</summary>
    public string NamespaceOf(string node) => Get(node).Namespace;

    /// <summary>Node <paramref name="node"/>'s address.</summary>
    public string AddressOf(string node) => Get(node).Address;

    /// <summary>Cuts node <paramref name="node"/>'s link (its bridge port goes down): it reaches nobody and nobody reaches it.</summary>
    public void Cut(string node)
    {
        Get(node);
        Run("ip", "-n", BridgeNamespace, "link", "set", node, "down");
    }

    /// <summary>Heals a link cut by <see cref="Cut"/>.</summary>
    public void Heal(string node)
    {
        Get(node);
        Run("ip", "-n", BridgeNamespace, "link", "set", node, "up");
    }

    /// <summary>Deletes every namespace of this run (which deletes their veth pairs) and the run's record.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var ns in Enumerable.Reverse(_created))
        {
            TryRun("ip", "netns", "delete", ns);
        }

        File.Delete(Path.Combine(RunsDirectory, RunId));
    }

    /// <summary>Deletes namespaces of this prefix left by runs whose owning process is gone; returns their names.</summary>
    public static IReadOnlyList<string> SweepStale()
    {
        var removed = new List<string>();
        string listing;
        try
        {
            listing = Run("ip", "netns", "list");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return removed;
        }

        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || dash < 0)
            {
                continue;
            }

            var runId = name[Prefix.Length..dash];
            if (!IsOwnerGone(runId))
            {
                continue;
            }

            // Node processes left in the namespace (their test host died first) are ours: end them by pid.
            try
            {
                foreach (var pid in Run("ip", "netns", "pids", name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    TryRun("kill", "-KILL", pid);
                }
            }
            catch (InvalidOperationException)
            {
                // The namespace went away meanwhile.
            }

            TryRun("ip", "netns", "delete", name);
            removed.Add(name);
        }

        foreach (var runId in removed.Select(n => n[Prefix.Length..n.IndexOf('-', StringComparison.Ordinal)]).Distinct())
        {
            File.Delete(Path.Combine(RunsDirectory, runId));
        }

        return removed;
    }

    /// <summary>Runs <c>ip</c> (or another tool) and returns its standard output; throws with its error text when it fails.</summary>
    public static string Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        }

        return stdout;
    }

    private static void TryRun(string fileName, params string[] arguments)
    {
        try
        {
            Run(fileName, arguments);
        }
        catch (InvalidOperationException)
        {
            // Cleanup goes on with the rest; what failed is already gone or was never made.
        }
    }

    /// <summary>True when run <paramref name="runId"/> has no record or its owning process is gone.</summary>
    public static bool IsOwnerGone(string runId)
    {
        var record = Path.Combine(RunsDirectory, runId);
        if (!File.Exists(record))
        {
            // Records are written before any namespace: a namespace without one was left by a run that lost it.
            return true;
        }

        return !int.TryParse(File.ReadAllText(record).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !Directory.Exists($"/proc/{pid}");
    }

    private void AddNamespace(string ns)
    {
        Run("ip", "netns", "add", ns);
        _created.Add(ns);
    }

    private (string Namespace, string Address) Get(string node) =>
        _nodes.TryGetValue(node, out var entry) ? entry : throw new ArgumentException($"No node {node} in this network.", nameof(node));
}
