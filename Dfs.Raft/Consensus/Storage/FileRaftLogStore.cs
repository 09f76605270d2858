using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Dfs.Common.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// The Raft log and hard state of one node in a folder of append-only segment files
/// (<c>{seq:x16}-{firstIndex:x16}.log</c>), each a sequence of checksummed records (see <see cref="LogRecord"/>).
/// </summary>
/// <remarks>
/// <para>Durability: writes go to a pooled buffer and reach the file when it fills or at <see cref="Sync"/>,
/// which issues one fdatasync of the active segment per batch (group commit), plus an fsync of the folder
/// when a segment was created. Nothing is promised before <see cref="Sync"/> returns.</para>
/// <para>Files are only ever appended to, never overwritten, so whatever part of the unsynced writes a crash
/// leaves is a prefix of them once recovery cuts the first damaged record and everything after it. A
/// conflict is a <see cref="LogRecordType.Truncate"/> record followed by the new entries: if any new entry
/// survives a crash, the truncation before it does too, so old and new suffixes never mix.</para>
/// <para>Every segment starts with a <see cref="LogRecordType.Begin"/> record carrying the hard state, so
/// removing old segments never loses the term and vote. A segment is fsynced before the next one is
/// created, so only the last segment can have a torn tail; damage anywhere else is reported as an error
/// and stops the node. <see cref="Reset"/> starts a base segment (Begin with <see cref="LogRecord.BaseFlag"/>):
/// recovery starts from the last base segment and removes the ones before it.</para>
/// <para>Known limit: damage to synced records in the last segment cannot be told apart from a torn write,
/// so it is cut too (the leader sends the entries again; etcd's WAL behaves alike).</para>
/// <para>Only one thread calls a store at a time.</para>
/// </remarks>
public sealed partial class FileRaftLogStore : IRaftLogStore
{
    /// <summary>Default size at which the active segment is closed and a new one started: 64 MiB.</summary>
    public const long DefaultSegmentSize = 64L << 20;

    private const int BufferSize = 256 << 10;

    private readonly string _directory;
    private readonly long _segmentSize;
    private readonly ILogger _logger;
    private readonly List<Segment> _segments = [];
    private readonly List<string> _obsolete = [];
    private byte[] _buffer;
    private int _buffered;
    private SafeFileHandle? _active;
    private long _activeFlushed;
    private bool _activeDirty;
    private bool _directoryDirty;
    private long _lastSequence;
    private long _firstIndex = 1;
    private long _lastIndex;
    private HardState _hardState = HardState.Empty;
    private bool _opened;
    private bool _disposed;

    /// <summary>Creates a store over <paramref name="directory"/> (created if missing); call <see cref="Recover"/> before anything else.</summary>
    /// <param name="directory">The folder that holds this node's segments and nothing else's.</param>
    /// <param name="segmentSize">Size at which a segment is closed and the next one started.</param>
    /// <param name="logger">Where recovery reports cut tails.</param>
    public FileRaftLogStore(string directory, long segmentSize = DefaultSegmentSize, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 4096);
        _directory = Path.GetFullPath(directory);
        _segmentSize = segmentSize;
        _logger = logger ?? NullLogger.Instance;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>The folder holding the segments.</summary>
    public string Directory => _directory;

    /// <summary>Index of the last entry written, or one before the next append when the log is empty.</summary>
    public long LastIndex => _lastIndex;

    /// <summary>Segment files in order, oldest first (for tools and tests).</summary>
    public IReadOnlyList<string> SegmentPaths => _segments.Select(s => s.Path).ToArray();

    /// <inheritdoc/>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        EnsureOpen();
        if (entries.Count == 0)
        {
            return;
        }
        var first = entries[0].Index;
        if (first < _firstIndex || first > _lastIndex + 1)
        {
            throw new ArgumentException(
                $"Append starts at index {first}, but the log holds [{_firstIndex}, {_lastIndex}]: " +
                $"the first entry must be in [{_firstIndex}, {_lastIndex + 1}].", nameof(entries));
        }
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Index != first + i)
            {
                throw new ArgumentException(
                    $"Entries are not contiguous: position {i} has index {entry.Index}, expected {first + i}.", nameof(entries));
            }
            if (entry.Payload.Length > LogRecord.MaxPayloadLength - LogRecord.EntryHeadSize)
            {
                throw new ArgumentException(
                    $"Entry {entry.Index} carries {entry.Payload.Length} bytes; the limit is {LogRecord.MaxPayloadLength - LogRecord.EntryHeadSize}.",
                    nameof(entries));
            }
        }

        if (first <= _lastIndex)
        {
            Span<byte> truncate = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(truncate, first);
            WriteRecord(LogRecordType.Truncate, truncate, ReadOnlyMemory<byte>.Empty);
            _lastIndex = first - 1;
        }

        Span<byte> head = stackalloc byte[LogRecord.EntryHeadSize];
        foreach (var entry in entries)
        {
            RollIfFull(LogRecord.HeaderSize + LogRecord.EntryHeadSize + entry.Payload.Length);
            BinaryPrimitives.WriteInt64LittleEndian(head, entry.Term);
            BinaryPrimitives.WriteInt64LittleEndian(head[8..], entry.Index);
            head[16] = (byte)entry.Kind;
            WriteRecord(LogRecordType.Entry, head, entry.Payload);
            _lastIndex = entry.Index;
            var segment = _segments[^1];
            segment.MaxIndex = Math.Max(segment.MaxIndex, entry.Index);
            segment.HasEntries = true;
        }
    }

    /// <inheritdoc/>
    public void SetHardState(HardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        EnsureOpen();
        if (state == _hardState)
        {
            return;
        }
        var size = LogRecord.HardStateSize(state);
        var payload = size <= 512 ? stackalloc byte[size] : new byte[size];
        LogRecord.WriteHardState(payload, state);
        WriteRecord(LogRecordType.HardState, payload, ReadOnlyMemory<byte>.Empty);
        _hardState = state;
    }

    /// <inheritdoc/>
    public void Sync()
    {
        EnsureOpen();
        FlushBuffer();
        if (_activeDirty)
        {
            DurableIo.FlushData(_active!);
            _activeDirty = false;
        }
        if (_directoryDirty)
        {
            DurableIo.SyncDirectory(_directory);
            _directoryDirty = false;
        }
        if (_obsolete.Count > 0)
        {
            // The base segment that voids these is durable now. Their removal need not be: recovery ignores
            // segments before the last base and removes them again.
            foreach (var path in _obsolete)
            {
                File.Delete(path);
            }
            _obsolete.Clear();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Removes whole segments, oldest first, never the active one, syncing the folder after each removal so
    /// a crash can only leave a prefix of them removed (never a hole in the middle of the log).
    /// </remarks>
    public void CompactThrough(long index)
    {
        EnsureOpen();
        var removed = 0;
        while (removed < _segments.Count - 1 && _segments[removed].MaxIndex <= index)
        {
            File.Delete(_segments[removed].Path);
            DurableIo.SyncDirectory(_directory);
            removed++;
        }
        if (removed > 0)
        {
            _segments.RemoveRange(0, removed);
            _firstIndex = Math.Max(_firstIndex, _segments[0].FirstIndex);
            Log.SegmentsCompacted(_logger, removed, index, _directory);
        }
    }

    /// <inheritdoc/>
    public void Reset(long nextIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextIndex, 1);
        EnsureOpen();
        CloseActive(sync: false);
        _obsolete.AddRange(_segments.Select(s => s.Path));
        _segments.Clear();
        _firstIndex = nextIndex;
        _lastIndex = nextIndex - 1;
        CreateSegment(isBase: true);
    }

    /// <summary>Writes what is buffered to the file (without syncing) and closes it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            CloseActive(sync: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_opened)
        {
            throw new InvalidOperationException($"Call Recover() on the log store in '{_directory}' before writing to it.");
        }
    }

    private void RollIfFull(int recordSize)
    {
        var segment = _segments[^1];
        if (segment.HasEntries && _activeFlushed + _buffered + recordSize > _segmentSize)
        {
            // The closed segment is synced before the next one exists, so a crash can tear only the last segment.
            CloseActive(sync: true);
            CreateSegment(isBase: false);
        }
    }

    private void CreateSegment(bool isBase)
    {
        var sequence = ++_lastSequence;
        var firstIndex = _lastIndex + 1;
        var path = Path.Combine(_directory, SegmentName(sequence, firstIndex));
        _active = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        _activeFlushed = 0;
        _directoryDirty = true;
        _segments.Add(new Segment(sequence, firstIndex, path) { MaxIndex = firstIndex - 1 });

        var size = 9 + LogRecord.HardStateSize(_hardState);
        var payload = size <= 512 ? stackalloc byte[size] : new byte[size];
        payload[0] = isBase ? LogRecord.BaseFlag : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(payload[1..], firstIndex);
        LogRecord.WriteHardState(payload[9..], _hardState);
        WriteRecord(LogRecordType.Begin, payload, ReadOnlyMemory<byte>.Empty);
    }

    private void CloseActive(bool sync)
    {
        if (_active is null)
        {
            return;
        }
        FlushBuffer();
        if (sync && _activeDirty)
        {
            DurableIo.FlushData(_active);
        }
        _activeDirty = false;
        _active.Dispose();
        _active = null;
    }

    private static string SegmentName(long sequence, long firstIndex) =>
        string.Create(CultureInfo.InvariantCulture, $"{sequence:x16}-{firstIndex:x16}.log");

    /// <summary>Frames one record into the buffer: <paramref name="head"/> then <paramref name="tail"/> form its payload.</summary>
    private void WriteRecord(LogRecordType type, ReadOnlySpan<byte> head, ReadOnlyMemory<byte> tail)
    {
        var payloadLength = head.Length + tail.Length;
        var total = LogRecord.HeaderSize + payloadLength;
        var crc = Crc32C.Append(Crc32C.Append(LogRecord.StartCrc(type), head), tail.Span);
        if (total > _buffer.Length)
        {
            // Larger than the whole buffer: header and head from the buffer, the payload straight from the caller.
            FlushBuffer();
            LogRecord.WriteHeader(_buffer, type, payloadLength, crc);
            head.CopyTo(_buffer.AsSpan(LogRecord.HeaderSize));
            var prefix = LogRecord.HeaderSize + head.Length;
            RandomAccess.Write(_active!, [_buffer.AsMemory(0, prefix), tail], _activeFlushed);
            _activeFlushed += total;
            _activeDirty = true;
            return;
        }
        if (_buffered + total > _buffer.Length)
        {
            FlushBuffer();
        }
        var destination = _buffer.AsSpan(_buffered, total);
        LogRecord.WriteHeader(destination, type, payloadLength, crc);
        head.CopyTo(destination[LogRecord.HeaderSize..]);
        tail.Span.CopyTo(destination[(LogRecord.HeaderSize + head.Length)..]);
        _buffered += total;
    }

    private void FlushBuffer()
    {
        if (_buffered == 0)
        {
            return;
        }
        RandomAccess.Write(_active!, _buffer.AsSpan(0, _buffered), _activeFlushed);
        _activeFlushed += _buffered;
        _buffered = 0;
        _activeDirty = true;
    }

    /// <summary>A segment file: its order, the index its Begin record names, and the highest entry index written to it.</summary>
    private sealed class Segment(long sequence, long firstIndex, string path)
    {
        public long Sequence { get; } = sequence;

        public long FirstIndex { get; } = firstIndex;

        public string Path { get; } = path;

        public long MaxIndex { get; set; }

        public bool HasEntries { get; set; }
    }
}
