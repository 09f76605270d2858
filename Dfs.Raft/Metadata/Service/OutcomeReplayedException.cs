namespace Dfs.Raft.Metadata.Service;

/// <summary>The change was applied before under the same client id and sequence number; <see cref="Result"/> is its recorded answer.</summary>
internal sealed class OutcomeReplayedException(byte[] result) : Exception("The change was applied earlier; its recorded answer is returned.")
{
    public byte[] Result { get; } = result;
}
