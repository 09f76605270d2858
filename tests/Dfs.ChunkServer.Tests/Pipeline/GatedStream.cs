namespace Dfs.ChunkServer.Tests.Pipeline;

/// <summary>
/// A read-only stream over bytes that, before handing out any byte at or past <see cref="GateOffset"/>,
/// waits for <see cref="Gate"/> (bounded by a timeout that fails the read with a message).
/// </summary>
internal sealed class GatedStream(byte[] data, long gateOffset, Task gate, TimeSpan timeout, string gateDescription) : Stream
{
    private long _position;

    public long GateOffset { get; } = gateOffset;

    public Task Gate { get; } = gate;

    /// <summary>True once bytes at or past <see cref="GateOffset"/> were handed out (always after the gate opened).</summary>
    public bool PassedGate { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= GateOffset && !Gate.IsCompleted)
        {
            try
            {
                await Gate.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new IOException($"The source waited {timeout.TotalSeconds} s at offset {_position} for: {gateDescription}; it never happened.");
            }
        }
        PassedGate |= _position >= GateOffset && Gate.IsCompletedSuccessfully;
        var limit = _position < GateOffset ? GateOffset : data.Length;
        var count = (int)Math.Min(buffer.Length, limit - _position);
        data.AsMemory((int)_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
