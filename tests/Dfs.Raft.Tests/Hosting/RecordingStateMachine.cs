using System.Buffers.Binary;
using Dfs.Raft.Consensus;

namespace Dfs.Raft.Tests.Hosting;

/// <summary>
/// A state machine that keeps every command it applied, in order; Apply returns the index it applied at.
/// Its snapshot is the whole list, so a restored replica must hold exactly what the others applied.
/// </summary>
internal sealed class RecordingStateMachine : IStateMachine
{
    private readonly object _gate = new();
    private List<string> _commands = [];

    public long LastAppliedIndex { get; private set; }

    public int RestoreCount { get; private set; }

    /// <summary>The commands applied so far (a copy, safe from any thread).</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_gate)
            {
                return _commands.ToArray();
            }
        }
    }

    /// <summary>The live count, for reads that run on the host's event loop.</summary>
    public int CountUnsafe => _commands.Count;

    public bool ContainsUnsafe(string command) => _commands.Contains(command);

    public ReadOnlyMemory<byte> Apply(long index, ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            _commands.Add(System.Text.Encoding.UTF8.GetString(command));
            LastAppliedIndex = index;
        }
        var result = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(result, index);
        return result;
    }

    public void WriteSnapshot(Stream destination)
    {
        using var writer = new BinaryWriter(destination, System.Text.Encoding.UTF8, leaveOpen: true);
        lock (_gate)
        {
            writer.Write(LastAppliedIndex);
            writer.Write(_commands.Count);
            foreach (var command in _commands)
            {
                writer.Write(command);
            }
        }
    }

    public void RestoreSnapshot(Stream source)
    {
        using var reader = new BinaryReader(source, System.Text.Encoding.UTF8, leaveOpen: true);
        var index = reader.ReadInt64();
        var count = reader.ReadInt32();
        var commands = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            commands.Add(reader.ReadString());
        }
        lock (_gate)
        {
            _commands = commands;
            LastAppliedIndex = index;
            RestoreCount++;
        }
    }
}
