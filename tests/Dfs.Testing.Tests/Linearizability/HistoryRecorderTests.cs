using Dfs.Testing.Linearizability;

namespace Dfs.Testing.Tests.Linearizability;

public sealed class HistoryRecorderTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void CompletedOperation_HasItsInputOutputAndAnIntervalInOrder()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);

        var put = recorder.Invoke(1, KvInput.Put("x", "1"));
        recorder.Ok(put, KvOutput.Done);
        var get = recorder.Invoke(2, KvInput.Get("x"));
        recorder.Ok(get, KvOutput.Read("1"));

        var history = recorder.GetHistory();
        Assert.Equal(2, history.Count);
        Assert.Equal(1, history[0].ClientId);
        Assert.Equal(KvInput.Put("x", "1"), history[0].Input);
        Assert.Equal(KvOutput.Read("1"), history[1].Output);
        Assert.True(history[0].CallTime <= history[0].ReturnTime);
        Assert.True(history[0].ReturnTime <= history[1].CallTime);
    }

    [Fact]
    public void FailedOperation_IsLeftOut_AndIndeterminateOrOpenOnesNeverReturn()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);

        recorder.Fail(recorder.Invoke(1, KvInput.Put("x", "failed")));
        recorder.Indeterminate(recorder.Invoke(2, KvInput.Put("x", "lost")));
        recorder.Invoke(3, KvInput.Put("x", "open"));

        var history = recorder.GetHistory();
        Assert.Equal(["lost", "open"], history.Select(o => o.Input.Value));
        Assert.All(history, o => Assert.True(o.IsIndeterminate));
        Assert.All(history, o => Assert.Equal(KvOutput.Unknown, o.Output));
    }

    [Fact]
    public void CompletingTwice_Throws()
    {
        var recorder = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);
        var handle = recorder.Invoke(1, KvInput.Get("x"));
        recorder.Ok(handle, KvOutput.Absent);

        Assert.Throws<InvalidOperationException>(() => recorder.Indeterminate(handle));
    }

    [Fact]
    public async Task ConcurrentClientsOfALinearizableStore_RecordALinearizableHistory()
    {
        var store = new LockedStore();
        var recorder = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(client => Task.Run(() => RunClient(client, store, recorder, 300))));
        var history = recorder.GetHistory();
        var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

        Assert.Equal(8 * 300, history.Count);
        Assert.True(result.IsOk, result.Explanation);
    }

    [Fact]
    public void StoreServingReadsFromALaggingReplica_IsCaughtAsNotLinearizable()
    {
        var store = new LaggingReplicaStore();
        var recorder = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);

        RunClient(0, store, recorder, 50);
        var result = LinearizabilityChecker.Check(KvModel.Instance, recorder.GetHistory(), Budget);

        Assert.Equal(LinearizabilityOutcome.Illegal, result.Outcome);
        Assert.Equal(KvOperationKind.Get, result.Unplaced!.Input.Kind);
    }

    private static void RunClient(int client, IStore store, HistoryRecorder<KvInput, KvOutput> recorder, int operations)
    {
        var random = new Random(client);
        for (var i = 0; i < operations; i++)
        {
            var key = $"k{random.Next(3)}";
            var input = random.Next(4) switch
            {
                0 => KvInput.Get(key),
                1 => KvInput.Put(key, $"c{client}-{i}"),
                2 => KvInput.CompareAndSwap(key, store.Peek(key), $"c{client}-{i}"),
                _ => KvInput.Get(key),
            };
            var handle = recorder.Invoke(client, input);
            recorder.Ok(handle, store.Execute(input));
        }
    }

    private interface IStore
    {
        string? Peek(string key);

        KvOutput Execute(KvInput input);
    }

    private sealed class LockedStore : IStore
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, string> _values = [];

        public string? Peek(string key)
        {
            lock (_lock)
            {
                return _values.GetValueOrDefault(key);
            }
        }

        public KvOutput Execute(KvInput input)
        {
            lock (_lock)
            {
                var current = _values.GetValueOrDefault(input.Key);
                switch (input.Kind)
                {
                    case KvOperationKind.Get:
                        return KvOutput.Read(current);
                    case KvOperationKind.Put:
                        _values[input.Key] = input.Value!;
                        return KvOutput.Done;
                    case KvOperationKind.Delete:
                        _values.Remove(input.Key);
                        return KvOutput.Done;
                    default:
                        if (current == input.Expected)
                        {
                            _values[input.Key] = input.Value!;
                            return KvOutput.CasResult(true);
                        }

                        return KvOutput.CasResult(false);
                }
            }
        }
    }

    // Writes go to the primary; reads are served by a replica that applies each write only when the next one arrives.
    private sealed class LaggingReplicaStore : IStore
    {
        private readonly LockedStore _primary = new();
        private readonly Dictionary<string, string> _replica = [];
        private (string Key, string Value)? _unreplicated;

        public string? Peek(string key) => _primary.Peek(key);

        public KvOutput Execute(KvInput input)
        {
            if (input.Kind == KvOperationKind.Get)
            {
                return KvOutput.Read(_replica.GetValueOrDefault(input.Key));
            }

            var result = _primary.Execute(input);
            if (_unreplicated is { } pending)
            {
                _replica[pending.Key] = pending.Value;
            }

            var now = _primary.Peek(input.Key);
            _unreplicated = now is null ? null : (input.Key, now);
            return result;
        }
    }
}
