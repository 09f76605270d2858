using System.Buffers;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>
/// Reassembles an InstallSnapshot's payload from its chunks: in memory when small, otherwise in a
/// temporary file that the receiver of the finished message owns.
/// </summary>
/// <remarks>One connection feeds one assembly at a time; not thread-safe. Disposing an unfinished assembly deletes its file.</remarks>
public sealed class SnapshotAssembly : IDisposable
{
    private readonly InstallSnapshot _header;
    private readonly long _length;
    private readonly byte[]? _memory;
    private readonly string? _path;
    private FileStream? _file;
    private long _received;
    private bool _finished;

    public SnapshotAssembly(InstallSnapshot header, long length, string directory, int inMemoryLimit)
    {
        _header = header;
        _length = length;
        if (length <= inMemoryLimit)
        {
            _memory = new byte[length];
        }
        else
        {
            Directory.CreateDirectory(directory);
            _path = Path.Combine(directory, $"recv-{header.From}-{header.Metadata.Index}-{Guid.NewGuid():N}.snap");
            _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
    }

    /// <summary>True once every announced byte has arrived.</summary>
    public bool IsComplete => _received == _length;

    /// <summary>Adds the next chunk.</summary>
    /// <exception cref="RaftCodecException">The chunk runs past the announced length.</exception>
    public void Append(ReadOnlySequence<byte> chunk)
    {
        if (chunk.Length > _length - _received)
        {
            throw new RaftCodecException(
                $"Snapshot {_header.Metadata.Index} from '{_header.From}' announced {_length} bytes but more arrived ({_received + chunk.Length}).");
        }
        if (_memory is not null)
        {
            chunk.CopyTo(_memory.AsSpan(checked((int)_received)));
        }
        else
        {
            foreach (var segment in chunk)
            {
                _file!.Write(segment.Span);
            }
        }
        _received += chunk.Length;
    }

    /// <summary>The finished message with its payload attached; call once <see cref="IsComplete"/>.</summary>
    public InstallSnapshot Finish()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException($"Snapshot has {_received} of {_length} bytes.");
        }
        _finished = true;
        if (_memory is not null)
        {
            return _header with { Payload = new MemorySnapshotPayload(_memory) };
        }
        _file!.Dispose();
        _file = null;
        return _header with { Payload = new FileSnapshotPayload(_path!) };
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (!_finished && _path is not null)
        {
            File.Delete(_path);
        }
    }
}
