using System.CommandLine;
using System.CommandLine.Help;
using Dfs.Cli.Commands;

namespace Dfs.Cli;

/// <summary>The <c>dfs</c> command line: parses the arguments, runs one verb against the gateway, returns the exit code.</summary>
public static class DfsCli
{
    /// <summary>The gateway used when neither <c>--gateway</c> nor <c>DFS_GATEWAY</c> says otherwise.</summary>
    public const string DefaultGateway = "http://127.0.0.1:8080";

    /// <summary>Runs <c>dfs <paramref name="args"/></c> on <paramref name="console"/>.</summary>
    /// <returns>One of <see cref="ExitCodes"/>.</returns>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var root = Build(console);
        var parse = root.Parse(args);
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
        await console.Out.FlushAsync(cancellationToken);
        await console.Error.FlushAsync(cancellationToken);
        return exit;
    }

    /// <summary>The command tree (a plain command named <c>dfs</c>, so help reads the same however it is started).</summary>
    internal static Command Build(CliConsole console)
    {
        var globals = new GlobalOptions();
        var root = new Command(
            "dfs",
            "dfs: the command line of the Dfs distributed file system. It talks to the gateway's REST API.\n"
            + "Remote paths are absolute ('/a/b'; a missing leading '/' is added). A trailing '/' on a destination means \"into this directory\".\n\n"
            + ExitCodes.Table)
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(globals.Gateway);
        root.Options.Add(globals.Json);
        root.Options.Add(globals.Quiet);

        var runner = new CommandRunner(globals, console);
        root.Subcommands.Add(PutCommand.Create(runner));
        root.Subcommands.Add(GetCommand.Create(runner));
        root.Subcommands.Add(CatCommand.Create(runner));
        root.Subcommands.Add(LsCommand.Create(runner));
        root.Subcommands.Add(MkdirCommand.Create(runner));
        root.Subcommands.Add(MvCommand.Create(runner));
        root.Subcommands.Add(RmCommand.Create(runner));
        root.Subcommands.Add(StatCommand.Create(runner));
        root.Subcommands.Add(VersionsCommand.Create(runner));
        root.Subcommands.Add(LockCommand.Create(runner));
        root.Subcommands.Add(UnlockCommand.Create(runner));
        root.Subcommands.Add(ClusterCommand.Create(runner));
        root.Subcommands.Add(MastersCommand.Create(runner));
        root.Subcommands.Add(HealthCommand.Create(runner));
        root.Subcommands.Add(Demo.DemoCommand.Create(runner));
        return root;
    }
}
