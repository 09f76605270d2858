using BenchmarkDotNet.Running;

namespace Dfs.Bench;

/// <summary>Runs the BenchmarkDotNet suites (pick with --filter), or a named load generator (<c>chunk-pipeline</c>).</summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "chunk-pipeline")
        {
            return await ChunkPipelineLoad.RunAsync(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
