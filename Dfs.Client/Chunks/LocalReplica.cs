namespace Dfs.Client.Chunks;

/// <summary>
/// A committed replica as a file: <paramref name="DataPath"/> holds <see cref="ChunkInfo.Length"/> bytes in
/// blocks of <see cref="ChunkLayout.BlockSize"/>, block <c>i</c> with CRC-32C <c>BlockCrcs[i]</c>.
/// </summary>
/// <remarks>
/// A committed data file is never written again (a new version gets a new file), so a reader that opened it
/// may go on reading even if the replica is replaced or deleted meanwhile; a reader that finds the file gone
/// or a block failing its check reads through the server instead, which reports and quarantines the replica.
/// </remarks>
public sealed record LocalReplica(ChunkInfo Info, string DataPath, IReadOnlyList<uint> BlockCrcs);
