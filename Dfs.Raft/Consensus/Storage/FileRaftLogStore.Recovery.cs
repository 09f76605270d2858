using System.Buffers.Binary;
using System.Globalization;
using Dfs.Common.Hashing;

namespace Dfs.Raft.Consensus.Storage;

public sealed partial class FileRaftLogStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// Reads every segment from the last base segment on, checking each record's CRC and that indexes are
    /// contiguous. A torn or damaged tail of the last segment is cut (the file is truncated at the last good
    /// record and synced) and never returned; damage in an earlier segment, or a well-formed record that
    /// breaks the log's order, throws <see cref="InvalidDataException"/>: the node must not start on it.
    /// Calling it again re-reads what was written so far.
    /// </remarks>
    public RecoveredLog Recover()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CloseActive(sync: false);
        _segments.Clear();
        _obsolete.Clear();
        _opened = false;
        System.IO.Directory.CreateDirectory(_directory);

        var files = ListSegments();
        _lastSequence = files.Count > 0 ? files[^1].Sequence : 0;
        var start = FindLastBase(files);
        for (var i = 0; i < start; i++)
        {
            // Void since a later base segment was made durable; a crash came before they were removed.
            File.Delete(files[i].Path);
        }
        if (start > 0)
        {
            DurableIo.SyncDirectory(_directory);
            Log.ObsoleteSegmentsRemoved(_logger, start, _directory);
        }

        var entries = new List<LogEntry>();
        var hardState = HardState.Empty;
        long firstIndex = 1;
        for (var i = start; i < files.Count; i++)
        {
            var file = files[i];
            var isLast = i == files.Count - 1;
            var bytes = File.ReadAllBytes(file.Path);
            var goodLength = ReadSegment(file, bytes, isFirst: i == start, entries, ref firstIndex, ref hardState, out var damage);
            if (damage is not null)
            {
                if (!isLast)
                {
                    throw new InvalidDataException(
                        $"Raft log segment '{file.Path}' is damaged at byte {goodLength} ({damage}), and it is not the last " +
                        "segment, so this is not a write torn by a crash. The node cannot trust its log and stops: " +
                        "move this node's data folder aside and let it rejoin empty, so the leader sends it a snapshot.");
                }
                CutTail(file, goodLength, bytes.Length, damage);
                if (goodLength == 0)
                {
                    continue;
                }
            }
            _segments.Add(file);
        }

        _hardState = hardState;
        _firstIndex = firstIndex;
        _lastIndex = firstIndex + entries.Count - 1;
        _opened = true;
        if (_segments.Count == 0)
        {
            CreateSegment(isBase: true);
        }
        else
        {
            var last = _segments[^1];
            _active = File.OpenHandle(last.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            _activeFlushed = RandomAccess.GetLength(_active);
        }
        return new RecoveredLog(hardState, entries);
    }

    private List<Segment> ListSegments()
    {
        var segments = new List<Segment>();
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*.log"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length != 33 || name[16] != '-' ||
                !long.TryParse(name.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence) ||
                !long.TryParse(name.AsSpan(17), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var first))
            {
                Log.ForeignFileIgnored(_logger, path);
                continue;
            }
            segments.Add(new Segment(sequence, first, path) { MaxIndex = first - 1 });
        }
        segments.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return segments;
    }

    /// <summary>Position of the last segment whose first record is an intact base Begin record, or 0.</summary>
    private static int FindLastBase(List<Segment> files)
    {
        Span<byte> head = stackalloc byte[LogRecord.HeaderSize + 1];
        for (var i = files.Count - 1; i > 0; i--)
        {
            using var handle = File.OpenHandle(files[i].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (RandomAccess.Read(handle, head, 0) < head.Length || (LogRecordType)head[8] != LogRecordType.Begin ||
                (head[9] & LogRecord.BaseFlag) == 0)
            {
                continue;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (length > 4096)
            {
                continue;
            }
            var record = new byte[LogRecord.HeaderSize + length];
            if (RandomAccess.Read(handle, record, 0) == record.Length && CrcMatches(record))
            {
                return i;
            }
        }
        return 0;
    }

    private static bool CrcMatches(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) == Crc32C.Compute(record[8..]);

    /// <summary>
    /// Reads one segment's records into <paramref name="entries"/>. Returns the length of its intact prefix;
    /// <paramref name="damage"/> says why reading stopped early (torn or corrupt record), or is null.
    /// </summary>
    /// <exception cref="InvalidDataException">An intact record breaks the log's order.</exception>
    private static int ReadSegment(Segment segment, byte[] bytes, bool isFirst, List<LogEntry> entries, ref long firstIndex,
        ref HardState hardState, out string? damage)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            var remaining = bytes.Length - offset;
            if (remaining < LogRecord.HeaderSize)
            {
                damage = $"a record header cut short: {remaining} of {LogRecord.HeaderSize} bytes";
                return offset;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            if (length > LogRecord.MaxPayloadLength || length > remaining - LogRecord.HeaderSize)
            {
                damage = $"a record claims {length} payload bytes with {remaining - LogRecord.HeaderSize} left in the file";
                return offset;
            }
            var record = bytes.AsSpan(offset, LogRecord.HeaderSize + (int)length);
            if (!CrcMatches(record))
            {
                damage = "a record's CRC does not match its contents";
                return offset;
            }
            var type = (LogRecordType)record[8];
            var payload = record[LogRecord.HeaderSize..];
            try
            {
                if (offset == 0 && type != LogRecordType.Begin)
                {
                    throw new InvalidDataException($"the segment starts with a {type} record instead of Begin");
                }
                switch (type)
                {
                    case LogRecordType.Begin:
                        ReadBegin(segment, offset, payload, isFirst, entries, ref firstIndex, ref hardState);
                        break;
                    case LogRecordType.Entry:
                        var entry = ReadEntry(bytes, offset, (int)length);
                        if (entry.Index != firstIndex + entries.Count)
                        {
                            throw new InvalidDataException($"entry {entry.Index} follows entry {firstIndex + entries.Count - 1}");
                        }
                        entries.Add(entry);
                        segment.MaxIndex = Math.Max(segment.MaxIndex, entry.Index);
                        segment.HasEntries = true;
                        break;
                    case LogRecordType.HardState:
                        hardState = LogRecord.ReadHardState(payload);
                        break;
                    case LogRecordType.Truncate:
                        var from = payload.Length == 8
                            ? BinaryPrimitives.ReadInt64LittleEndian(payload)
                            : throw new InvalidDataException($"truncate record of {payload.Length} bytes");
                        var lastIndex = firstIndex + entries.Count - 1;
                        if (from > lastIndex || from < 1)
                        {
                            throw new InvalidDataException($"truncation from {from} with the log at [{firstIndex}, {lastIndex}]");
                        }
                        if (from <= firstIndex)
                        {
                            entries.Clear();
                            firstIndex = from;
                        }
                        else
                        {
                            entries.RemoveRange((int)(from - firstIndex), (int)(lastIndex - from + 1));
                        }
                        break;
                    default:
                        throw new InvalidDataException($"unknown record type {(byte)type}");
                }
            }
            catch (InvalidDataException e)
            {
                // The CRC matched, so the writer put this record there: no crash explains it.
                throw new InvalidDataException(
                    $"Raft log segment '{segment.Path}' holds an intact record at byte {offset} that breaks the log: {e.Message}. " +
                    "The node stops rather than start on a log it cannot trust.", e);
            }
            offset += record.Length;
        }
        damage = null;
        return offset;
    }

    private static void ReadBegin(Segment segment, int offset, ReadOnlySpan<byte> payload, bool isFirst, List<LogEntry> entries,
        ref long firstIndex, ref HardState hardState)
    {
        if (offset != 0 || payload.Length < 9)
        {
            throw new InvalidDataException(offset != 0 ? "a Begin record inside a segment" : "a Begin record too short");
        }
        var isBase = (payload[0] & LogRecord.BaseFlag) != 0;
        var next = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        if (next != segment.FirstIndex)
        {
            throw new InvalidDataException($"the segment is named for index {segment.FirstIndex} but begins at {next}");
        }
        if (isFirst)
        {
            entries.Clear();
            firstIndex = next;
        }
        else if (isBase || next != firstIndex + entries.Count)
        {
            throw new InvalidDataException(
                $"the segment begins at index {next}{(isBase ? " as a new base" : "")} but the log so far ends at {firstIndex + entries.Count - 1}");
        }
        hardState = LogRecord.ReadHardState(payload[9..]);
    }

    private static LogEntry ReadEntry(byte[] bytes, int offset, int length)
    {
        if (length < LogRecord.EntryHeadSize)
        {
            throw new InvalidDataException($"entry record of {length} bytes");
        }
        var head = bytes.AsSpan(offset + LogRecord.HeaderSize, LogRecord.EntryHeadSize);
        var term = BinaryPrimitives.ReadInt64LittleEndian(head);
        var index = BinaryPrimitives.ReadInt64LittleEndian(head[8..]);
        var kind = (EntryKind)head[16];
        if (kind is not (EntryKind.Command or EntryKind.NoOp or EntryKind.Configuration))
        {
            throw new InvalidDataException($"entry {index} has unknown kind {(byte)kind}");
        }
        var payloadLength = length - LogRecord.EntryHeadSize;
        // Entries share the segment's array: recovery reads each segment once and copies nothing.
        var payload = payloadLength == 0
            ? ReadOnlyMemory<byte>.Empty
            : bytes.AsMemory(offset + LogRecord.HeaderSize + LogRecord.EntryHeadSize, payloadLength);
        return new LogEntry(term, index, kind, payload);
    }

    private void CutTail(Segment segment, int goodLength, int fileLength, string damage)
    {
        Log.TornTailCut(_logger, segment.Path, goodLength, fileLength - goodLength, damage);
        if (goodLength == 0)
        {
            // Not even its Begin record survived: the segment never held anything durable.
            File.Delete(segment.Path);
            DurableIo.SyncDirectory(_directory);
            return;
        }
        using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        RandomAccess.SetLength(handle, goodLength);
        DurableIo.FlushData(handle);
    }
}
