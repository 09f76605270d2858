using Dfs.Testing.Linearizability;

namespace Dfs.Testing.Tests.Linearizability;

/// <summary>Builders and generators of key-value histories for the checker's tests.</summary>
internal static class KvHistories
{
    public static Operation<KvInput, KvOutput> Put(int client, string key, string value, long call, long ret) =>
        new(client, KvInput.Put(key, value), KvOutput.Done, call, ret);

    public static Operation<KvInput, KvOutput> Get(int client, string key, string? value, long call, long ret) =>
        new(client, KvInput.Get(key), KvOutput.Read(value), call, ret);

    public static Operation<KvInput, KvOutput> Delete(int client, string key, long call, long ret) =>
        new(client, KvInput.Delete(key), KvOutput.Done, call, ret);

    public static Operation<KvInput, KvOutput> Cas(int client, string key, string? expected, string value, bool swapped, long call, long ret) =>
        new(client, KvInput.CompareAndSwap(key, expected, value), KvOutput.CasResult(swapped), call, ret);

    public static Operation<KvInput, KvOutput> Lost(int client, KvInput input, long call) =>
        Operation<KvInput, KvOutput>.Indeterminate(client, input, KvOutput.Unknown, call);

    /// <summary>
    /// A history produced by a real sequential execution: operation i takes effect at an increasing instant
    /// and its interval is stretched randomly around that instant, so intervals overlap but a valid
    /// linearization (the execution order) always exists. Some operations are indeterminate; of those,
    /// some took effect and some did not.
    /// </summary>
    public static List<Operation<KvInput, KvOutput>> FromSequentialExecution(
        Random random,
        int count,
        int keyCount,
        int clientCount,
        int maxStretch,
        double indeterminateRate)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        var history = new List<Operation<KvInput, KvOutput>>(count);
        long instant = maxStretch;
        for (var i = 0; i < count; i++)
        {
            instant += random.Next(1, 4);
            var key = $"k{random.Next(keyCount)}";
            state.TryGetValue(key, out var current);
            var input = random.Next(10) switch
            {
                < 4 => KvInput.Get(key),
                < 7 => KvInput.Put(key, $"v{i}"),
                < 8 => KvInput.Delete(key),
                _ => KvInput.CompareAndSwap(key, random.Next(2) == 0 ? current : $"v{random.Next(i + 1)}", $"v{i}"),
            };
            var call = instant - random.Next(maxStretch + 1);
            var ret = instant + random.Next(maxStretch + 1);
            var client = random.Next(clientCount);
            if (random.NextDouble() < indeterminateRate)
            {
                // Whether it took effect is the flip of a coin; either way the client never learns.
                if (random.Next(2) == 0)
                {
                    Apply(state, input, current);
                }

                history.Add(Lost(client, input, call));
                continue;
            }

            var output = Apply(state, input, current);
            history.Add(new Operation<KvInput, KvOutput>(client, input, output, call, ret));
        }

        return history;
    }

    /// <summary>A history of random operations with random answers: linearizable or not by chance.</summary>
    public static List<Operation<KvInput, KvOutput>> Random(Random random, int count, int keyCount, int indeterminateOneIn = 8)
    {
        string?[] values = [null, "a", "b", "c"];
        var history = new List<Operation<KvInput, KvOutput>>(count);
        for (var i = 0; i < count; i++)
        {
            var key = $"k{random.Next(keyCount)}";
            var call = (long)random.Next(0, 20);
            var ret = call + random.Next(0, 8);
            var input = random.Next(8) switch
            {
                < 3 => KvInput.Get(key),
                < 6 => KvInput.Put(key, values[random.Next(1, 4)]!),
                < 7 => KvInput.Delete(key),
                _ => KvInput.CompareAndSwap(key, values[random.Next(4)], values[random.Next(1, 4)]!),
            };
            if (random.Next(indeterminateOneIn) == 0)
            {
                history.Add(Lost(random.Next(3), input, call));
                continue;
            }

            var output = input.Kind switch
            {
                KvOperationKind.Get => KvOutput.Read(values[random.Next(4)]),
                KvOperationKind.CompareAndSwap => KvOutput.CasResult(random.Next(2) == 0),
                _ => KvOutput.Done,
            };
            history.Add(new Operation<KvInput, KvOutput>(random.Next(3), input, output, call, ret));
        }

        return history;
    }

    private static KvOutput Apply(Dictionary<string, string> state, KvInput input, string? current)
    {
        switch (input.Kind)
        {
            case KvOperationKind.Get:
                return KvOutput.Read(current);
            case KvOperationKind.Put:
                state[input.Key] = input.Value!;
                return KvOutput.Done;
            case KvOperationKind.Delete:
                state.Remove(input.Key);
                return KvOutput.Done;
            default:
                if (string.Equals(current, input.Expected, StringComparison.Ordinal))
                {
                    state[input.Key] = input.Value!;
                    return KvOutput.CasResult(true);
                }

                return KvOutput.CasResult(false);
        }
    }
}
