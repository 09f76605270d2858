using System.CommandLine;

namespace Dfs.Cli;

/// <summary>Options every verb takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Gateway { get; } = new("--gateway")
    {
        Description = $"The gateway's URL (default: $DFS_GATEWAY, else {DfsCli.DefaultGateway})",
        HelpName = "url",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts (errors too, on stderr); no progress bars",
        Recursive = true,
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress bars",
        Recursive = true,
    };
}
