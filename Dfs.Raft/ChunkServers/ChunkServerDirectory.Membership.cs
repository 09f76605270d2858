using Dfs.Client.Kv;
using Dfs.Common.Wire;

namespace Dfs.Raft.ChunkServers;

public sealed partial class ChunkServerDirectory
{
    public async Task SetDrainingAsync(string serverId, bool draining, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        string host;
        int port;
        lock (_lock)
        {
            if (!_servers.TryGetValue(serverId, out var server) || (server.Member is null && server.LastHeard is null))
            {
                throw new ArgumentException($"No chunk server has the id '{serverId}'.", nameof(serverId));
            }
            (host, port) = (server.Host, server.Port);
        }
        await ChangeMemberAsync(serverId, stored => (stored ?? new ChunkServerMember(serverId, host, port, false)) with { Draining = draining },
            cancellationToken);
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

    // Registration keeps whatever drain flag the store holds: a new leader whose view has not read the records back yet
    // must not undo an operator's drain.
    private async Task RegisterMemberAsync(string serverId, string host, int port)
    {
        try
        {
            var member = await ChangeMemberAsync(serverId,
                stored => stored is { } known && known.Host == host && known.Port == port
                    ? known
                    : new ChunkServerMember(serverId, host, port, stored?.Draining ?? false),
                CancellationToken.None);
            LogRegistered(_logger, member.Id, member.Host, member.Port);
        }
        catch (Exception e)
        {
            // Not leading any more, or the store refused: the next heartbeat on a leader tries again.
            LogRegisterFailed(_logger, serverId, e.Message);
        }
        finally
        {
            lock (_lock)
            {
                Server(serverId).MemberWriteInFlight = false;
            }
        }
    }

    /// <summary>
    /// Rewrites one membership record as <paramref name="change"/> makes it from the stored one, compare-and-set on the
    /// stored bytes: a registration and a drain that race can never leave the older of the two in the store.
    /// </summary>
    private async Task<ChunkServerMember> ChangeMemberAsync(string serverId, Func<ChunkServerMember?, ChunkServerMember> change,
        CancellationToken cancellationToken)
    {
        var key = ChunkServerMember.KeyOf(serverId);
        for (var attempt = 1; ; attempt++)
        {
            var stored = await _kv.ReadAsync(store => store.Get(key), linearizable: true, cancellationToken);
            var current = stored is { } item ? ChunkServerMember.Read(item.Key.Span, item.Value.Span) : null;
            var next = change(current);
            if (next != current)
            {
                var unchanged = stored is { } held ? KvCompare.ValueIs(key, KvCompareOperator.Equal, held.Value) : KvCompare.Missing(key);
                var result = await _kv.ExecuteAsync(KvCommand.Txn([unchanged], [KvOp.Put(key, next.Value())]), null, cancellationToken);
                if (!result.IsOk)
                {
                    throw new InvalidOperationException($"The store refused chunk server {serverId}'s record: {result.Error}");
                }
                if (!result.Succeeded)
                {
                    if (attempt == MemberWriteAttempts)
                    {
                        throw new InvalidOperationException(
                            $"Chunk server {serverId}'s record kept changing under {MemberWriteAttempts} attempts to rewrite it.");
                    }
                    continue;
                }
            }
            lock (_lock)
            {
                Server(serverId).Member = next;
            }
            return next;
        }
    }

    private const int MemberWriteAttempts = 5;
}
