using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;

namespace Dfs.Raft.Master;

/// <summary>The replicated key-value store as one master offers it to its APIs.</summary>
/// <remarks>
/// Writes go through the Raft log; reads are linearizable (ReadIndex) unless asked otherwise. Both need the
/// leader and throw <see cref="NotLeaderException"/> elsewhere.
/// </remarks>
public interface IMasterKv
{
    /// <summary>This master's Raft view, for <c>/raft/status</c> and for routing.</summary>
    MasterStatus Status { get; }

    /// <summary>Replicates an encoded <see cref="KvCommand"/> and returns the encoded <see cref="KvResult"/> that applying it produced.</summary>
    /// <remarks>
    /// The command is checked once (decoded, validated, measured against <see cref="KvLimits.MaxCommandBytes"/>) and its
    /// bytes go into the log as they came; the result bytes go back as the store produced them, so a wire client's command
    /// and answer pass through without being decoded and encoded again.
    /// </remarks>
    /// <param name="command">The command as <see cref="KvCommandCodec"/> encodes it.</param>
    /// <param name="request">
    /// The caller's (client id, sequence number) when it retries safely: a command retried with the same pair
    /// is applied once. Null for a one-shot command.
    /// </param>
    /// <exception cref="KvFormatException">The bytes are not a well-formed command; nothing was proposed.</exception>
    /// <exception cref="KvValidationException">The command breaks a limit; nothing was proposed.</exception>
    Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken);

    /// <summary>Replicates <paramref name="command"/> and returns its result once applied.</summary>
    /// <remarks>The default encodes the command (validating it), runs the encoded form and decodes the result.</remarks>
    /// <param name="request">
    /// The caller's (client id, sequence number) when it retries safely: a command retried with the same pair
    /// is applied once. Null for a one-shot command.
    /// </param>
    async Task<KvResult> ExecuteAsync(KvCommand command, ClientRequest? request, CancellationToken cancellationToken) =>
        KvResultCodec.Decode(await ExecuteAsync(KvCommandCodec.Encode(command), request, cancellationToken));

    /// <summary>Runs <paramref name="read"/> against the store: after a ReadIndex round if <paramref name="linearizable"/>, else on this replica's current state.</summary>
    Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken);
}

/// <summary>Identifies a retried command: a client's id, the command's sequence number, and the lowest sequence number the client has not yet seen answered.</summary>
public readonly record struct ClientRequest(Guid ClientId, long Sequence, long LowestUnanswered);

/// <summary>The command was applied earlier, but the session table no longer holds its response (the client acknowledged past it, or too many were outstanding).</summary>
public sealed class ResponseDiscardedException(string message) : Exception(message);
