using System.Buffers.Binary;
using System.Text;
using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// A small deterministic state machine for tests: each key holds the list of tokens appended to it.
/// Every token a simulated client writes is unique, so the lists are also the record of what was applied,
/// and they survive snapshots. It has no use for time, so it ignores the entries' timestamps.
/// </summary>
public sealed class KeyAppendStateMachine : ITimedStateMachine
{
    private readonly SortedDictionary<string, List<string>> _lists = new(StringComparer.Ordinal);

    /// <summary>Commands applied since this instance was created or restored (not part of the state).</summary>
    public long ApplyCount { get; private set; }

    public IReadOnlyDictionary<string, List<string>> Lists => _lists;

    public IReadOnlyList<string> Read(string key) => _lists.TryGetValue(key, out var list) ? list : [];

    /// <summary>Encodes "append <paramref name="token"/> to <paramref name="key"/>".</summary>
    public static byte[] EncodeAppend(string key, string token)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var tokenBytes = Encoding.UTF8.GetBytes(token);
        var bytes = new byte[2 + keyBytes.Length + tokenBytes.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)keyBytes.Length));
        keyBytes.CopyTo(bytes, 2);
        tokenBytes.CopyTo(bytes, 2 + keyBytes.Length);
        return bytes;
    }

    public static (string Key, string Token) DecodeAppend(ReadOnlySpan<byte> command)
    {
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(command);
        return (Encoding.UTF8.GetString(command.Slice(2, keyLength)), Encoding.UTF8.GetString(command[(2 + keyLength)..]));
    }

    /// <summary>Appends and answers the list's new length (8 bytes, little-endian).</summary>
    public ReadOnlyMemory<byte> Apply(long index, long timestampMs, ReadOnlySpan<byte> command)
    {
        var (key, token) = DecodeAppend(command);
        if (!_lists.TryGetValue(key, out var list))
        {
            list = [];
            _lists.Add(key, list);
        }
        list.Add(token);
        ApplyCount++;
        var response = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(response, list.Count);
        return response;
    }

    public void WriteSnapshot(Stream destination)
    {
        using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        writer.Write(_lists.Count);
        foreach (var (key, list) in _lists)
        {
            writer.Write(key);
            writer.Write(list.Count);
            foreach (var token in list)
            {
                writer.Write(token);
            }
        }
    }

    public void RestoreSnapshot(Stream source)
    {
        using var reader = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
        _lists.Clear();
        var keys = reader.ReadInt32();
        for (var i = 0; i < keys; i++)
        {
            var key = reader.ReadString();
            var count = reader.ReadInt32();
            var list = new List<string>(count);
            for (var j = 0; j < count; j++)
            {
                list.Add(reader.ReadString());
            }
            _lists.Add(key, list);
        }
    }
}
