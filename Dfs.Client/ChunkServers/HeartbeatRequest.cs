using Dfs.Common.Wire;

namespace Dfs.Client.ChunkServers;

/// <summary>
/// What a chunk server tells each master every heartbeat: who and where it is, its space and load, and what changed in
/// its replicas since the last heartbeat that master acknowledged (or one page of a full report).
/// </summary>
/// <param name="ServerId">The chunk server's id in the cluster config.</param>
/// <param name="Host">Where it serves the chunk protocol.</param>
/// <param name="Port">Its chunk protocol port.</param>
/// <param name="CapacityBytes">Space it may use: its configured capacity, or used plus the disk's free space when none is configured.</param>
/// <param name="UsedBytes">Bytes its replicas take.</param>
/// <param name="FreeBytes">Bytes it can still take.</param>
/// <param name="Load">Transfers (reads, writes, copies) in progress.</param>
/// <param name="Pid">Its process id, for operators.</param>
/// <param name="FullReport">
/// True: <paramref name="Added"/> is one page (<paramref name="ReportPage"/>, from 0) of the complete list of replicas; the
/// page with <paramref name="LastPage"/> ends it, and a replica no page named is no longer held. False: a delta.
/// </param>
/// <param name="ReportPage">The page's number within a full report (0 starts a new one); 0 for a delta.</param>
/// <param name="LastPage">The full report ends with this page.</param>
/// <param name="Added">Replicas committed (or whose version changed) since the last acknowledged heartbeat; a full report's page.</param>
/// <param name="Removed">Chunk ids no longer held (deleted, quarantined); empty in a full report.</param>
/// <param name="Corrupt">Replicas that failed verification (they are quarantined, so also in <paramref name="Removed"/>).</param>
public sealed record HeartbeatRequest(
    string ServerId, string Host, int Port,
    long CapacityBytes, long UsedBytes, long FreeBytes, int Load, int Pid,
    bool FullReport, int ReportPage, bool LastPage,
    IReadOnlyList<ReportedChunk> Added, IReadOnlyList<ulong> Removed, IReadOnlyList<ReportedChunk> Corrupt)
{
    private const byte FullReportFlag = 1;
    private const byte LastPageFlag = 2;

    /// <summary>
    /// Copies the leader ordered that failed from every source they named (chunk id and the version ordered; length 0), so
    /// the leader orders them elsewhere at once instead of after the copy timeout.
    /// </summary>
    public IReadOnlyList<ReportedChunk> FailedCopies { get; init; } = [];

    /// <summary>Longest server id or host name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    internal void Write(ref WireWriter writer)
    {
        writer.WriteString(WireLength.UInt16, ServerId, MaxNameBytes);
        writer.WriteString(WireLength.UInt16, Host, MaxNameBytes);
        writer.WriteUInt16(checked((ushort)Port));
        writer.WriteVarInt64(CapacityBytes);
        writer.WriteVarInt64(UsedBytes);
        writer.WriteVarInt64(FreeBytes);
        writer.WriteVarInt64(Load);
        writer.WriteVarInt64(Pid);
        writer.WriteByte((byte)((FullReport ? FullReportFlag : 0) | (LastPage ? LastPageFlag : 0)));
        writer.WriteLength(WireLength.VarUInt, ReportPage);
        WriteChunks(ref writer, Added);
        writer.WriteLength(WireLength.VarUInt, Removed.Count);
        foreach (var id in Removed)
        {
            writer.WriteUInt64(id);
        }
        WriteChunks(ref writer, Corrupt);
        WriteChunks(ref writer, FailedCopies);
    }

    internal static HeartbeatRequest Read(ref WireReader reader)
    {
        var serverId = reader.ReadString(WireLength.UInt16, MaxNameBytes, "server id", strict: true);
        var host = reader.ReadString(WireLength.UInt16, MaxNameBytes, "host", strict: true);
        if (serverId.Length == 0 || host.Length == 0)
        {
            throw new WireFormatException("A heartbeat names no server id or no host.");
        }
        var port = reader.ReadUInt16("port");
        var capacity = reader.ReadVarInt64("capacity");
        var used = reader.ReadVarInt64("used bytes");
        var free = reader.ReadVarInt64("free bytes");
        var load = reader.ReadVarInt64("load");
        var pid = reader.ReadVarInt64("pid");
        if (capacity < 0 || used < 0 || free < 0 || load is < 0 or > int.MaxValue || pid is < 0 or > int.MaxValue)
        {
            throw new WireFormatException($"A heartbeat's numbers are out of range (capacity {capacity}, used {used}, free {free}, load {load}, pid {pid}).");
        }
        var flags = reader.ReadByte("flags");
        if ((flags & ~(FullReportFlag | LastPageFlag)) != 0)
        {
            throw new WireFormatException($"A heartbeat has unknown flags 0x{flags:x2}.");
        }
        var full = (flags & FullReportFlag) != 0;
        var page = reader.ReadLength(WireLength.VarUInt, field: "report page");
        var added = ReadChunks(ref reader, "added chunks");
        var removed = new ulong[reader.ReadCount(WireLength.VarUInt, 8, HeartbeatProtocol.MaxChunksPerHeartbeat, "removed chunks")];
        for (var i = 0; i < removed.Length; i++)
        {
            removed[i] = reader.ReadUInt64("removed chunk id");
        }
        var corrupt = ReadChunks(ref reader, "corrupt chunks");
        var failedCopies = ReadChunks(ref reader, "failed copies");
        if (!full && (page != 0 || (flags & LastPageFlag) != 0))
        {
            throw new WireFormatException("A delta heartbeat carries a report page or ends a report.");
        }
        if (full && removed.Length != 0)
        {
            throw new WireFormatException("A full report's page lists removed chunks.");
        }
        return new HeartbeatRequest(serverId, host, port, capacity, used, free, (int)load, (int)pid, full, page, (flags & LastPageFlag) != 0,
            added, removed, corrupt)
        {
            FailedCopies = failedCopies,
        };
    }

    private static void WriteChunks(ref WireWriter writer, IReadOnlyList<ReportedChunk> chunks)
    {
        writer.WriteLength(WireLength.VarUInt, chunks.Count);
        foreach (var chunk in chunks)
        {
            chunk.Write(ref writer);
        }
    }

    private static ReportedChunk[] ReadChunks(ref WireReader reader, string field)
    {
        var chunks = new ReportedChunk[reader.ReadCount(WireLength.VarUInt, ReportedChunk.MinimumSize, HeartbeatProtocol.MaxChunksPerHeartbeat, field)];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = ReportedChunk.Read(ref reader);
        }
        return chunks;
    }
}
