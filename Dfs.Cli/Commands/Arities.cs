using System.CommandLine;

namespace Dfs.Cli.Commands;

/// <summary>Argument counts the library does not name.</summary>
internal static class Arities
{
    /// <summary>Sources then a destination: two or more (100000 is System.CommandLine's ceiling).</summary>
    public static readonly ArgumentArity SourcesAndDestination = new(2, 100_000);
}
