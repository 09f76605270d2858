using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Dfs.Hosting;

/// <summary>
/// A memory pool of pinned blocks large enough to hold a whole data packet, for Kestrel connections that
/// carry bulk frames: Kestrel receives into one pool block per system call, so its default 4 KiB blocks cost
/// a receive (and a wake-up of the reader) per 4 KiB, where this costs one per packet.
/// </summary>
/// <remarks>Keeps at most <see cref="RetainedBlocks"/> free blocks; beyond that, returned blocks are left to the GC.</remarks>
public sealed class LargeBlockMemoryPool(int blockSize = LargeBlockMemoryPool.DefaultBlockSize) : MemoryPool<byte>
{
    /// <summary>A 64 KiB packet with its headers, and room to spare.</summary>
    public const int DefaultBlockSize = 128 * 1024;

    /// <summary>Free blocks kept for reuse (32 MiB at the default size).</summary>
    public const int RetainedBlocks = 256;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;
    private bool _disposed;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        else
        {
            // Pinned, so a socket operation on it needs no pinning of its own.
            block = GC.AllocateUninitializedArray<byte>(blockSize, pinned: true);
        }
        return new Block(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(byte[] block)
    {
        if (!_disposed && Interlocked.Increment(ref _freeCount) <= RetainedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}

/// <summary>Hands Kestrel <see cref="LargeBlockMemoryPool"/>s (register it as the <see cref="IMemoryPoolFactory{T}"/> of a bulk-data host).</summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
