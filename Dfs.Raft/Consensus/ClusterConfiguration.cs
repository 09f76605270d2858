using System.Text;

namespace Dfs.Raft.Consensus;

/// <summary>
/// The members of a Raft group: voters decide elections and commits; learners receive the log but do not
/// vote (a new member catches up as a learner before it is promoted).
/// </summary>
public sealed record ClusterConfiguration(IReadOnlyList<string> Voters, IReadOnlyList<string> Learners)
{
    public ClusterConfiguration(IEnumerable<string> voters)
        : this(voters.ToArray(), [])
    {
    }

    /// <summary>Votes (or acknowledgements) needed for a decision.</summary>
    public int Quorum => Voters.Count / 2 + 1;

    public bool IsVoter(string id) => Voters.Contains(id);

    public bool IsMember(string id) => Voters.Contains(id) || Learners.Contains(id);

    /// <summary>Every member but <paramref name="self"/>: the nodes a leader replicates to.</summary>
    public IEnumerable<string> PeersOf(string self) => Voters.Concat(Learners).Where(id => id != self);

    /// <summary>Encodes as a log entry payload: count-prefixed UTF-8 ids, voters then learners.</summary>
    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Voters.Count);
        foreach (var id in Voters)
        {
            writer.Write(id);
        }
        writer.Write(Learners.Count);
        foreach (var id in Learners)
        {
            writer.Write(id);
        }
        writer.Flush();
        return stream.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not an encoded configuration.</exception>
    public static ClusterConfiguration Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var stream = new MemoryStream(payload.ToArray());
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            var voters = ReadIds(reader);
            var learners = ReadIds(reader);
            return new ClusterConfiguration(voters, learners);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("Truncated cluster configuration.", e);
        }
    }

    private static string[] ReadIds(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > 1024)
        {
            throw new InvalidDataException($"Cluster configuration claims {count} members.");
        }
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = reader.ReadString();
        }
        return ids;
    }

    public override string ToString() =>
        $"voters [{string.Join(",", Voters)}]" + (Learners.Count > 0 ? $" learners [{string.Join(",", Learners)}]" : "");

    public bool Equals(ClusterConfiguration? other) =>
        other is not null && Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners);

    public override int GetHashCode() => HashCode.Combine(Voters.Count, Learners.Count, Voters.FirstOrDefault());
}
