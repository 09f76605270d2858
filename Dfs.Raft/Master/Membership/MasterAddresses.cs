using System.Collections.Immutable;
using Dfs.Common.Configuration;

namespace Dfs.Raft.Master.Membership;

/// <summary>
/// Where each master listens, as this master knows it: config.json's masters, overlaid with the group's book
/// (<see cref="Client.Master.MasterBook"/>) once the leader has written one. Thread-safe.
/// </summary>
public sealed class MasterAddresses(ClusterConfig config)
{
    private ImmutableDictionary<string, MasterNodeConfig> _known = config.Masters.ToImmutableDictionary(m => m.Id);

    /// <summary>The master of <paramref name="id"/>, or null when no address is known for it.</summary>
    public MasterNodeConfig? Find(string id) => Volatile.Read(ref _known).GetValueOrDefault(id);

    /// <summary>Records the addresses of <paramref name="masters"/>; masters not listed keep theirs.</summary>
    public void Learn(IEnumerable<MasterNodeConfig> masters)
    {
        ImmutableDictionary<string, MasterNodeConfig> current, next;
        do
        {
            current = Volatile.Read(ref _known);
            next = current.SetItems(masters.Select(m => KeyValuePair.Create(m.Id, m with { Joining = false })));
        }
        while (Interlocked.CompareExchange(ref _known, next, current) != current);
    }
}
