namespace Dfs.Testing.Linearizability;

/// <summary>Identifies an operation invoked on a <see cref="HistoryRecorder{TInput, TOutput}"/> until it is completed.</summary>
/// <param name="Index">The operation's position in invocation order.</param>
public readonly record struct OperationHandle(int Index);
