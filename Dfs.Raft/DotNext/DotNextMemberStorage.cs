using System.Net;
using DotNext.Buffers;
using DotNext.IO;
using DotNext.Net;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace Dfs.Raft.DotNext;

/// <summary>
/// DotNext's member list kept in a file of the master's data folder: a restarted master rejoins with the group as it
/// last learned it (members added or removed since config.json was written), not with config.json's list.
/// </summary>
internal sealed class DotNextMemberStorage(string path) : PersistentClusterConfigurationStorage<EndPoint>(path)
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer) => writer.WriteEndPoint(address);

    protected override EndPoint Decode(ref SequenceReader reader) => reader.ReadEndPoint();
}
