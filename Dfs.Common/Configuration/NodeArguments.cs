using System.Globalization;

namespace Dfs.Common.Configuration;

/// <summary>
/// The command line every node process takes: <c>--config PATH</c> and <c>--id ID</c>; <c>--parent-pid PID</c> from a
/// launcher whose end the node follows; <c>--host ADDRESS</c> and <c>--port N</c> (0: the OS chooses) overriding the
/// node's address in the config (chunk servers); <c>--no-launch</c> (gateway: the cluster is already running).
/// </summary>
public sealed record NodeArguments(string ConfigPath, string? Id, int? ParentPid = null)
{
    /// <summary>The listen address from <c>--host</c>, or null to use the config's.</summary>
    public string? Host { get; init; }

    /// <summary>The listen port from <c>--port</c> (0: the OS chooses), or null to use the config's.</summary>
    public int? Port { get; init; }

    /// <summary>True when <c>--no-launch</c> is given: the gateway does not start the cluster's nodes itself.</summary>
    public bool NoLaunch { get; init; }

    /// <summary>The arguments this parser does not know, in order, for the host (Kestrel, logging) to read.</summary>
    public IReadOnlyList<string> HostArguments { get; init; } = [];

    /// <summary>Parses the arguments; unknown ones are kept in <see cref="HostArguments"/>.</summary>
    /// <exception cref="ConfigurationException">A flag is given without its value, a value is malformed, or <c>--id</c> is required and missing.</exception>
    public static NodeArguments Parse(IReadOnlyList<string> args, bool idRequired)
    {
        ArgumentNullException.ThrowIfNull(args);
        string config = "config.json";
        string? id = null;
        int? parentPid = null;
        string? host = null;
        int? port = null;
        var noLaunch = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config":
                    config = ValueAfter(args, ref i);
                    break;
                case "--id":
                    id = ValueAfter(args, ref i);
                    break;
                case "--parent-pid":
                    parentPid = int.TryParse(ValueAfter(args, ref i), out var pid) && pid > 0
                        ? pid
                        : throw new ConfigurationException("--parent-pid needs a process id.");
                    break;
                case "--host":
                    host = ValueAfter(args, ref i);
                    break;
                case "--port":
                    var text = ValueAfter(args, ref i);
                    port = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 65535
                        ? value
                        : throw new ConfigurationException($"--port must be a number from 0 to 65535, not '{text}'.");
                    break;
                case "--no-launch":
                    noLaunch = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        if (idRequired && id is null)
        {
            throw new ConfigurationException("Missing --id: name the node of config.json this process runs, e.g. --id m1.");
        }
        return new NodeArguments(config, id, parentPid) { Host = host, Port = port, NoLaunch = noLaunch, HostArguments = rest };
    }

    private static string ValueAfter(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new ConfigurationException($"{args[i]} needs a value.");
        }
        return args[++i];
    }
}
