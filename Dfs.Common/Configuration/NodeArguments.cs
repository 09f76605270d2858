namespace Dfs.Common.Configuration;

/// <summary>
/// The <c>--config PATH --id ID</c> arguments every node process takes, and <c>--parent-pid PID</c> from a launcher
/// whose end the node follows.
/// </summary>
public sealed record NodeArguments(string ConfigPath, string? Id, int? ParentPid = null)
{
    /// <summary>Parses the arguments; unknown ones are left for the host (Kestrel, logging) to read.</summary>
    /// <exception cref="ConfigurationException">A flag is given without its value.</exception>
    public static NodeArguments Parse(IReadOnlyList<string> args, bool idRequired)
    {
        string config = "config.json";
        string? id = null;
        int? parentPid = null;
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
            }
        }
        if (idRequired && id is null)
        {
            throw new ConfigurationException("Missing --id: name the node of config.json this process runs, e.g. --id m1.");
        }
        return new NodeArguments(config, id, parentPid);
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
