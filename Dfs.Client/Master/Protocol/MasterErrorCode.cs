namespace Dfs.Client.Master.Protocol;

/// <summary>
/// The errors of the master's API, the same on the internal protocol and over HTTP: each server failure maps
/// to one code, and each edge maps a code once (a response status byte, a problem-details status).
/// </summary>
public enum MasterErrorCode : byte
{
    /// <summary>This master is not the leader and names the one that is; send the request there.</summary>
    NotLeader = 1,

    /// <summary>No leader is known (an election or a leadership hand-over is under way); retry shortly.</summary>
    NoLeader = 2,

    /// <summary>The request is malformed or breaks a rule (empty or oversized key, bad argument); nothing changed and a retry fails the same way.</summary>
    InvalidArgument = 3,

    /// <summary>What the request names does not exist (a key, a lease).</summary>
    NotFound = 4,

    /// <summary>
    /// The request conflicts with what the masters hold: a retried command whose answer is no longer kept, an
    /// expired session, a lease that already exists. Nothing changed now; a blind retry fails the same way.
    /// </summary>
    Conflict = 5,

    /// <summary>A command may or may not have been applied (leadership changed under it); retry with the same client id and sequence number.</summary>
    OutcomeUnknown = 6,

    /// <summary>The leader cannot take the request now (too much uncommitted, a membership change pending); retry later.</summary>
    Unavailable = 7,

    /// <summary>An unexpected failure on the master; the message says what it was.</summary>
    Internal = 8,

    /// <summary>
    /// A file-system operation was refused by the metadata rules; <see cref="MasterError.MetadataCode"/> names the rule. Nothing
    /// changed, and a retry fails the same way.
    /// </summary>
    Metadata = 9,
}
