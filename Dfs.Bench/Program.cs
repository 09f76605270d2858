using BenchmarkDotNet.Running;

namespace Dfs.Bench;

/// <summary>Runs the BenchmarkDotNet suites (pick with --filter), or the whole-cluster load generators.</summary>
public static class BenchProgram
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
