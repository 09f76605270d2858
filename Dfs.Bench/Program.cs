using BenchmarkDotNet.Running;
using Dfs.Bench.Load;
using Dfs.Bench.Report;

namespace Dfs.Bench;

/// <summary>
/// Runs a whole-cluster load generator or a named measurement when the first argument names one
/// (<c>kv-compare</c>, <c>kv-memory</c>, <c>chunk-pipeline</c>, <c>metadata</c>, <c>gateway</c>, <c>report</c>), otherwise the BenchmarkDotNet suites (pick with --filter).
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "kv-compare":
                return await KvCompareCommand.RunAsync(args[1..]);
            case "metadata":
                return await MetadataBenchCommand.RunAsync(args[1..]);
            case "kv-memory" when args.Skip(1).Any(a => a.StartsWith("--", StringComparison.Ordinal)):
                return await KvMemoryClusterLoad.RunAsync(args[1..]);
            case "kv-memory":
                return KvMemoryFootprint.Run(args[1..]);
            case "chunk-pipeline":
                return await ChunkPipelineLoad.RunAsync(args[1..]);
            case "gateway":
                return await GatewayLoad.RunAsync(args[1..]);
            case "report":
                return await ReportCommand.RunAsync(args[1..]);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
                return 0;
        }
    }
}
