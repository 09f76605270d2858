using BenchmarkDotNet.Running;

namespace Dfs.Bench;

/// <summary>Runs the BenchmarkDotNet suites (pick with --filter), or a named measurement (<c>kv-memory</c>).</summary>
public static class BenchProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "kv-memory")
        {
            return KvMemoryFootprint.Run(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
        return 0;
    }
}
