using Dfs.ChunkServer.Pipeline;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Server;

/// <summary>What every connection of one chunk server shares: its store, options, writes in progress, logger and clock.</summary>
internal sealed class ChunkService
{
    public ChunkService(IChunkStore store, ChunkServerOptions options, ILogger<ChunkService> logger, TimeProvider? timeProvider = null)
    {
        options.Validate();
        Store = store;
        Options = options;
        Logger = logger;
        Time = timeProvider ?? TimeProvider.System;
        PendingWrites = new PendingWrites(options.PendingWriteTimeout, Time, logger);
    }

    public IChunkStore Store { get; }

    public ChunkServerOptions Options { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public PendingWrites PendingWrites { get; }

    private int _transfers;

    /// <summary>Reads, pipeline writes and copies in progress: the load heartbeats report.</summary>
    public int Transfers => Volatile.Read(ref _transfers);

    public void BeginTransfer() => Interlocked.Increment(ref _transfers);

    public void EndTransfer() => Interlocked.Decrement(ref _transfers);
}
