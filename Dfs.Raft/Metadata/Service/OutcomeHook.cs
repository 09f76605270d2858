using Dfs.Raft.Master;

namespace Dfs.Raft.Metadata.Service;

/// <summary>
/// Exactly-once for one change: before planning, answers the recorded result if the same (client, sequence) was applied
/// already; otherwise the change's final transaction also records its encoded answer, compared missing (so of two
/// copies of one request racing, one applies and the other replays), and drops the client's records below its lowest
/// unanswered sequence, which it has seen answered.
/// </summary>
internal sealed class OutcomeHook(ClientRequest request, long nowMs, Func<object?, byte[]> encode, MetadataWriteHook? inner) : MetadataWriteHook
{
    private readonly byte[] _key = ServiceKeys.OutcomeKey(request.ClientId, request.Sequence);

    public override void BeforePlan(IKvView view)
    {
        if (view.Get(_key) is { } recorded)
        {
            throw new OutcomeReplayedException(DecodeRecord(recorded.Value.Span));
        }
        inner?.BeforePlan(view);
    }

    public override void Extend(TxnBuilder txn, object? answer)
    {
        inner?.Extend(txn, answer);
        var writer = new MetadataWriter();
        writer.VarLong(nowMs);
        txn.Missing(_key);
        txn.Put(_key, (byte[])[.. writer.ToArray(), .. encode(answer)]);
        if (request.LowestUnanswered > 1)
        {
            txn.DeleteRange(ServiceKeys.OutcomeKey(request.ClientId, 0), ServiceKeys.OutcomeKey(request.ClientId, Math.Min(request.LowestUnanswered, request.Sequence)));
        }
    }

    /// <summary>The time a record was written (leader clock, Unix ms).</summary>
    public static long RecordedMs(ReadOnlySpan<byte> value) => new MetadataReader(value).VarLong();

    private static byte[] DecodeRecord(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        reader.VarLong();
        return value[reader.Position..].ToArray();
    }
}
