using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Wire;

namespace Dfs.Client.ChunkServers;

/// <summary>A master's answer to a heartbeat: whether it leads, and the leader's commands for the chunk server.</summary>
/// <param name="IsLeader">This master leads; only a leader's commands are carried out.</param>
/// <param name="LeaderId">The leader this master knows of ("" when none).</param>
/// <param name="Term">This master's Raft term: a chunk server that has heard a leader of a higher term ignores a lower one's commands.</param>
/// <param name="SendFullReport">This master lacks the server's complete list (it restarted, or a page was lost): send a full report.</param>
/// <param name="Delete">Chunks to delete from the server's store.</param>
/// <param name="Replicate">Chunks to copy onto the server from one of the named sources.</param>
public sealed record HeartbeatReply(bool IsLeader, string LeaderId, long Term, bool SendFullReport, IReadOnlyList<ulong> Delete, IReadOnlyList<ReplicateCommand> Replicate)
{
    private const byte LeaderFlag = 1;
    private const byte FullReportFlag = 2;

    internal void Write(ref WireWriter writer)
    {
        writer.WriteByte((byte)((IsLeader ? LeaderFlag : 0) | (SendFullReport ? FullReportFlag : 0)));
        writer.WriteString(WireLength.UInt16, LeaderId, HeartbeatRequest.MaxNameBytes);
        writer.WriteVarInt64(Term);
        writer.WriteLength(WireLength.VarUInt, Delete.Count);
        foreach (var id in Delete)
        {
            writer.WriteUInt64(id);
        }
        writer.WriteLength(WireLength.VarUInt, Replicate.Count);
        foreach (var command in Replicate)
        {
            writer.WriteUInt64(command.ChunkId);
            writer.WriteVarInt64(command.Version);
            writer.WriteLength(WireLength.VarUInt, command.Sources.Count);
            foreach (var source in command.Sources)
            {
                writer.WriteString(WireLength.UInt16, source.Host, HeartbeatRequest.MaxNameBytes);
                writer.WriteUInt16(checked((ushort)source.Port));
            }
        }
    }

    internal static HeartbeatReply Read(ref WireReader reader)
    {
        var flags = reader.ReadByte("flags");
        if ((flags & ~(LeaderFlag | FullReportFlag)) != 0)
        {
            throw new WireFormatException($"A heartbeat reply has unknown flags 0x{flags:x2}.");
        }
        var leader = reader.ReadString(WireLength.UInt16, HeartbeatRequest.MaxNameBytes, "leader id", strict: true);
        var term = reader.ReadVarInt64("term");
        if (term < 0)
        {
            throw new WireFormatException($"A heartbeat reply carries a negative term {term}.");
        }
        var delete = new ulong[reader.ReadCount(WireLength.VarUInt, 8, HeartbeatProtocol.MaxCommandsPerReply, "chunks to delete")];
        for (var i = 0; i < delete.Length; i++)
        {
            delete[i] = reader.ReadUInt64("chunk id to delete");
        }
        var replicate = new ReplicateCommand[reader.ReadCount(WireLength.VarUInt, 8 + 1 + 1, HeartbeatProtocol.MaxCommandsPerReply, "chunks to replicate")];
        for (var i = 0; i < replicate.Length; i++)
        {
            var id = reader.ReadUInt64("chunk id to replicate");
            var version = reader.ReadVarInt64("chunk version to replicate");
            if (version < 0)
            {
                throw new WireFormatException($"Chunk {id:x16} is to be replicated at negative version {version}.");
            }
            var sources = new ChunkEndpoint[reader.ReadCount(WireLength.VarUInt, 2 + 1 + 2, HeartbeatProtocol.MaxSources, "copy sources")];
            if (sources.Length == 0)
            {
                throw new WireFormatException($"Chunk {id:x16} is to be replicated from no source.");
            }
            for (var s = 0; s < sources.Length; s++)
            {
                var host = reader.ReadString(WireLength.UInt16, HeartbeatRequest.MaxNameBytes, "source host", strict: true);
                sources[s] = new ChunkEndpoint(host, reader.ReadUInt16("source port"));
            }
            replicate[i] = new ReplicateCommand(id, version, sources);
        }
        return new HeartbeatReply((flags & LeaderFlag) != 0, leader, term, (flags & FullReportFlag) != 0, delete, replicate);
    }
}
