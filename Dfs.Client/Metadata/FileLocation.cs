using Dfs.Client.ChunkServers;

namespace Dfs.Client.Metadata;

/// <summary>A chunk of a file version with the live replicas that hold it, least loaded first.</summary>
public sealed record LocatedChunk(ChunkRef Chunk, IReadOnlyList<ChunkServerAddress> Replicas);

/// <summary>A file's version as a reader needs it: what it is, and where each chunk can be read.</summary>
public sealed record FileLocation(string Path, MetadataEntry Entry, FileVersion Version, IReadOnlyList<LocatedChunk> Chunks);
