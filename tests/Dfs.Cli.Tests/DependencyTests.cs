namespace Dfs.Cli.Tests;

/// <summary>The command line is a client of the gateway: of the Dfs code it uses only the bottom libraries.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void Cli_ReferencesNoDfsAssemblyButTheClientAndCommonLibraries()
    {
        var dfs = typeof(DfsCli).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Dfs.", StringComparison.Ordinal))
            .ToArray();

        Assert.Empty(dfs.Except(["Dfs.Client", "Dfs.Common"]));
    }

    [Fact]
    public void Cli_DoesNotReferenceAspNetCore()
    {
        var aspNet = typeof(DfsCli).Assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        Assert.Empty(aspNet);
    }
}
