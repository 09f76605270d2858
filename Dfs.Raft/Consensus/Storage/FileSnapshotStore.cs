using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// Snapshots as files <c>{directory}/snapshots/{index:x16}-{term:x16}.snap</c> (layout in
/// <see cref="SnapshotFileFormat"/>: a header with the metadata and configuration, the body, a trailer with
/// the body's CRC-32C).
/// </summary>
/// <remarks>
/// <para>Durability: <see cref="Save"/> writes a temporary file, fsyncs it, renames it into place and fsyncs
/// the folder before it returns, so a crash leaves either the old or the new snapshot in force, never a
/// partial one. On open, leftover temporary files are removed, and the newest snapshot that verifies
/// becomes <see cref="Latest"/>; one that fails verification is renamed <c>*.corrupt</c> and the previous
/// valid one is used.</para>
/// <para>After a save the latest snapshot and the one before it are kept (a follower may still be receiving
/// the older one, and it is the fallback if the latest is damaged); older ones are removed.</para>
/// <para>Only one thread calls <see cref="Save"/> at a time; payloads may be read from any thread.</para>
/// </remarks>
public sealed partial class FileSnapshotStore : ISnapshotStore
{
    private const string Extension = ".snap";
    private const string TempExtension = ".snap.tmp";

    private readonly string _directory;
    private readonly ILogger _logger;
    private volatile StoredSnapshot? _latest;

    /// <summary>Opens (creating if needed) the snapshot folder under <paramref name="directory"/> and finds the latest valid snapshot.</summary>
    public FileSnapshotStore(string directory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.Combine(Path.GetFullPath(directory), "snapshots");
        _logger = logger ?? NullLogger.Instance;
        System.IO.Directory.CreateDirectory(_directory);
        _latest = Open() is { } opened ? new StoredSnapshot(opened.Item1, opened.Item2) : null;
    }

    /// <summary>The folder that holds the snapshot files.</summary>
    public string Directory => _directory;

    /// <inheritdoc/>
    public (SnapshotMetadata Metadata, SnapshotPayload Payload)? Latest => _latest?.AsTuple();

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The snapshot is older than the latest one; nothing is written.</exception>
    public SnapshotPayload Save(SnapshotMetadata metadata, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(write);
        if (_latest is { } latest && metadata.Index < latest.Metadata.Index)
        {
            throw new ArgumentException(
                $"Snapshot at index {metadata.Index} is older than the latest one at {latest.Metadata.Index}.", nameof(metadata));
        }

        var name = FileName(metadata);
        var finalPath = Path.Combine(_directory, name + Extension);
        var tempPath = Path.Combine(_directory, name + TempExtension);
        var header = SnapshotFileFormat.EncodeHeader(metadata);
        long bodyLength;
        try
        {
            using (var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(header);
                var body = new ChecksummingWriteStream(file);
                write(body);
                Span<byte> trailer = stackalloc byte[SnapshotFileFormat.TrailerSize];
                SnapshotFileFormat.WriteTrailer(trailer, body.BytesWritten, body.Crc);
                file.Write(trailer);
                file.Flush(flushToDisk: true);
                bodyLength = body.BytesWritten;
            }
            File.Move(tempPath, finalPath, overwrite: true);
            DurableIo.SyncDirectory(_directory);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }

        var payload = new FileSliceSnapshotPayload(finalPath, header.Length, bodyLength);
        var previous = _latest;
        _latest = new StoredSnapshot(metadata, payload);
        RemoveOlderThan(previous is { } p && p.Payload is FileSliceSnapshotPayload kept ? kept.Path : null, finalPath);
        return payload;
    }

    private (SnapshotMetadata, SnapshotPayload)? Open()
    {
        foreach (var temp in System.IO.Directory.EnumerateFiles(_directory, "*" + TempExtension))
        {
            // A save that crashed before its rename: never the latest, never complete.
            File.Delete(temp);
        }
        foreach (var path in ListSnapshots().OrderByDescending(s => s.Index).ThenByDescending(s => s.Term).Select(s => s.Path))
        {
            try
            {
                var (metadata, bodyOffset, bodyLength) = SnapshotFileFormat.Verify(path);
                var expectedName = FileName(metadata) + Extension;
                if (!string.Equals(Path.GetFileName(path), expectedName, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"its header names index {metadata.Index} term {metadata.Term}, not its file name");
                }
                return (metadata, new FileSliceSnapshotPayload(path, bodyOffset, bodyLength));
            }
            catch (InvalidDataException e)
            {
                Log.CorruptSnapshotSetAside(_logger, path, e.Message);
                File.Move(path, path + ".corrupt", overwrite: true);
            }
        }
        return null;
    }

    private List<(long Index, long Term, string Path)> ListSnapshots()
    {
        var result = new List<(long, long, string)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == 33 && name[16] == '-' &&
                long.TryParse(name.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var index) &&
                long.TryParse(name.AsSpan(17), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var term))
            {
                result.Add((index, term, path));
            }
        }
        return result;
    }

    private void RemoveOlderThan(string? keep, string latest)
    {
        foreach (var (_, _, path) in ListSnapshots())
        {
            if (!string.Equals(path, latest, StringComparison.Ordinal) && !string.Equals(path, keep, StringComparison.Ordinal))
            {
                TryDelete(path);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            Log.SnapshotNotRemoved(_logger, path, e.Message);
        }
    }

    private static string FileName(SnapshotMetadata metadata) =>
        string.Create(CultureInfo.InvariantCulture, $"{metadata.Index:x16}-{metadata.Term:x16}");

    /// <summary>Log messages of the snapshot store (event ids 1310–1319).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 1310, Level = LogLevel.Error,
            Message = "Snapshot {Path} failed verification ({Reason}); renamed it *.corrupt and fell back to the previous one")]
        public static partial void CorruptSnapshotSetAside(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Could not remove old snapshot {Path}: {Reason}")]
        public static partial void SnapshotNotRemoved(ILogger logger, string path, string reason);
    }
}
