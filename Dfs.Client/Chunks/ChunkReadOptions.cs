using Dfs.Common.Validation;


namespace Dfs.Client.Chunks;

/// <summary>How a <see cref="ChunkReadClient"/> reads. Every field has a documented default.</summary>
public sealed record ChunkReadOptions
{
    /// <summary>How long a replica may stay silent (to connect, or between two packets) before the read moves on to the next one. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a replica on this machine (a loopback endpoint) is read from its file directly, verifying each
    /// block against the checksums its server hands out, instead of through the server (HDFS's short-circuit
    /// read). The server may refuse; the read then goes over the connection. Default true.
    /// </summary>
    public bool ShortCircuitLocalReads { get; init; } = true;

    /// <summary>Bytes a short-circuit read takes from the file per system call, a whole number of 64 KiB blocks. Default 1 MiB.</summary>
    public int LocalReadBytes { get; init; } = 1024 * 1024;

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(Timeout > TimeSpan.Zero, $"Timeout must be positive (is {Timeout}).")
        .Require(LocalReadBytes >= ChunkLayout.BlockSize && LocalReadBytes % ChunkLayout.BlockSize == 0,
            $"LocalReadBytes must be a positive multiple of the {ChunkLayout.BlockSize}-byte block (is {LocalReadBytes}).")
        .ThrowIfAny();
}
