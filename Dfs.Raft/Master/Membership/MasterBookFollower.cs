using Dfs.Client.Master;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Master.Membership;

/// <summary>
/// Keeps this master's transport and redirects in step with the group's book (<see cref="MasterBook"/>) as it applies:
/// a follower learns a new member's address from the log, and a restarted master from its own log and snapshot,
/// whatever its config.json lists.
/// </summary>
/// <remarks>Reads the local store (no Raft round) every <see cref="Interval"/>: the book changes only with the group.</remarks>
public sealed partial class MasterBookFollower(IMasterKv kv, IMasterMembership membership, MasterAddresses addresses, TimeProvider time,
    ILogger<MasterBookFollower> logger) : BackgroundService
{
    /// <summary>How often the local store is read for a newer book.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private long _seen;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await FollowOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies the book in the local store if it changed since the last call.</summary>
    public async Task FollowOnceAsync(CancellationToken cancellationToken)
    {
        var item = await kv.ReadAsync(store => store.Get(MasterBook.Key), linearizable: false, cancellationToken);
        if (item is null || item.ModRevision == _seen)
        {
            return;
        }
        try
        {
            // Port 0 means "the OS picks", never a port to dial: such an entry says nothing about where a master listens.
            var book = MasterBook.Decode(item.Value.Span).Where(m => m.RaftPort != 0).ToArray();
            addresses.Learn(book);
            membership.LearnAddresses(book);
            Log.Learned(logger, string.Join(", ", book.Select(m => $"{m.Id}={m.Host}:{m.RaftPort}")));
        }
        catch (InvalidDataException e)
        {
            Log.Malformed(logger, e.Message);
        }
        _seen = item.ModRevision;
    }

    private static partial class Log
    {
        [LoggerMessage(1214, LogLevel.Information, "The masters' book lists {Masters}")]
        public static partial void Learned(ILogger logger, string masters);

        [LoggerMessage(1215, LogLevel.Warning, "The masters' book in the store is malformed and was ignored: {Problem}")]
        public static partial void Malformed(ILogger logger, string problem);
    }
}
