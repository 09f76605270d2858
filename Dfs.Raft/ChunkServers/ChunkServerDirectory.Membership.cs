using Dfs.Client.Kv;
using Dfs.Common.Wire;

namespace Dfs.Raft.ChunkServers;

public sealed partial class ChunkServerDirectory
{
    public async Task SetDrainingAsync(string serverId, bool draining, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ChunkServerMember member;
        lock (_lock)
        {
            if (!_servers.TryGetValue(serverId, out var server) || (server.Member is null && server.LastHeard is null))
            {
                throw new ArgumentException($"No chunk server has the id '{serverId}'.", nameof(serverId));
            }
            member = server.Member is { } known ? known with { Draining = draining } : new ChunkServerMember(serverId, server.Host, server.Port, draining);
        }
        await _kv.ExecuteAsync(KvCommand.Put(member.Key(), member.Value()), null, cancellationToken);
        lock (_lock)
        {
            Server(serverId).Member = member;
        }
        LogDraining(_logger, serverId, draining);
    }

    /// <summary>Reads the membership records from this master's copy of the replicated store into the view.</summary>
    public async Task RefreshMembershipAsync(CancellationToken cancellationToken)
    {
        var items = await _kv.ReadAsync(store =>
        {
            var members = new List<ChunkServerMember>();
            var prefix = ChunkServerMember.PrefixBytes;
            var start = prefix;
            while (true)
            {
                var page = store.Range(start, Dfs.Common.Keys.KeyRanges.PrefixEnd(prefix), 1000);
                foreach (var item in page.Items)
                {
                    try
                    {
                        members.Add(ChunkServerMember.Read(item.Key.Span, item.Value.Span));
                    }
                    catch (WireFormatException e)
                    {
                        LogBadMember(_logger, e.Message);
                    }
                }
                if (!page.More || page.Items.Count == 0)
                {
                    return members;
                }
                start = [.. page.Items[^1].Key.Span, 0];
            }
        }, linearizable: false, cancellationToken);
        lock (_lock)
        {
            foreach (var member in items)
            {
                var server = Server(member.Id);
                server.Member = member;
                if (server.LastHeard is null)
                {
                    // Known only from the store: where it last said it listens.
                    server.Host = member.Host;
                    server.Port = member.Port;
                }
            }
        }
    }

    private async Task WriteMemberAsync(ChunkServerMember member)
    {
        try
        {
            await _kv.ExecuteAsync(KvCommand.Put(member.Key(), member.Value()), null, CancellationToken.None);
            lock (_lock)
            {
                Server(member.Id).Member = member;
            }
            LogRegistered(_logger, member.Id, member.Host, member.Port);
        }
        catch (Exception e)
        {
            // Not leading any more, or the store refused: the next heartbeat on a leader tries again.
            LogRegisterFailed(_logger, member.Id, e.Message);
        }
        finally
        {
            lock (_lock)
            {
                Server(member.Id).MemberWriteInFlight = false;
            }
        }
    }
}
