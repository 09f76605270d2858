using Dfs.Cli;

return await DfsCli.RunAsync(args, CliConsole.System());
