namespace Dfs.Cli.Transfers;

/// <summary>No progress output: pipes, CI, <c>--json</c>, <c>--quiet</c>.</summary>
internal sealed class NullTransferProgress : ITransferProgress, ITransferItem
{
    public static readonly NullTransferProgress Instance = new();

    public ITransferItem Start(string name, long? length) => this;

    public void Advance(long bytes)
    {
    }

    public void Finish()
    {
    }
}
