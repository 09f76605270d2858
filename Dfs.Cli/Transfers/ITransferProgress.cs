namespace Dfs.Cli.Transfers;

/// <summary>Where a batch of transfers reports its bytes (bars on a terminal, nothing otherwise).</summary>
/// <remarks>Called from several transfers at once: implementations are thread-safe.</remarks>
internal interface ITransferProgress
{
    /// <summary>A transfer of <paramref name="length"/> bytes (null when unknown) starts.</summary>
    ITransferItem Start(string name, long? length);
}

/// <summary>One transfer's progress.</summary>
internal interface ITransferItem
{
    /// <summary><paramref name="bytes"/> more bytes went through.</summary>
    void Advance(long bytes);

    /// <summary>The transfer ended (done or failed); its bar goes.</summary>
    void Finish();
}
