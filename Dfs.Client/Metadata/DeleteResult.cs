namespace Dfs.Client.Metadata;

/// <summary>What a delete did.</summary>
/// <param name="EntriesDeleted">Files and directories removed.</param>
/// <param name="DroppedChunkIds">Chunks of the removed files' kept versions, for garbage collection.</param>
public sealed record DeleteResult(int EntriesDeleted, IReadOnlyList<ulong> DroppedChunkIds);
