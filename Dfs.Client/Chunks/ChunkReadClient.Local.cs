using System.Buffers;
using System.Net;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Common.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Dfs.Client.Chunks;

/// <summary>Short-circuit local reads: a replica on this machine read from its file, without the server in the data path.</summary>
public sealed partial class ChunkReadClient
{
    /// <summary>Only a loopback endpoint is certainly this machine; any other address is read over the network.</summary>
    private static bool IsOnThisMachine(ChunkEndpoint replica) =>
        string.Equals(replica.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(replica.Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// Asks the server where the replica's file is, then reads the range from it, handing on only blocks that
    /// match the checksums the server gave.
    /// </summary>
    /// <returns>
    /// Completed when the whole range was delivered; otherwise the read goes on over the connection from
    /// <see cref="ReadState.Position"/>, and <see cref="LocalOutcome.Replica"/> says whether the destination
    /// was already told of this replica.
    /// </returns>
    private async Task<LocalOutcome> TryReadLocallyAsync(FrameConnection connection, string peer, ChunkId id, long minimumVersion, ReadState state,
        ReadTarget sink, Func<ChunkInfo, CancellationToken, ValueTask>? onReplica,
        CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        ChunkWire.Send(connection, 1, new OpenLocalRequest(id, minimumVersion));
        await connection.FlushAsync(timeout.Token);
        LocalReplica replica;
        try
        {
            replica = ChunkWire.Expect<LocalReplicaMessage>(await connection.ReadAsync(timeout.Token), peer).Replica;
        }
        catch (ChunkServerException e) when (e.Code is not (ChunkErrorCode.Unreachable or ChunkErrorCode.Protocol))
        {
            // Refused, or a store error the read over the connection will report in full.
            return default;
        }
        var info = replica.Info;
        if (state.Position > info.Length || (state.End >= 0 && state.End > info.Length))
        {
            // A bad range: the server's answer to the read names it.
            return default;
        }
        await AcceptSourceAsync(peer, id, info, state, onReplica, cancellationToken);

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(replica.DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Deleted or replaced since the answer, or not ours to open.
            return new LocalOutcome(info, Completed: false);
        }
        using (file)
        {
            var completed = sink.Writer is null
                ? await ReadVerifiedBlocksAsync(file, replica, state, sink, cancellationToken)
                : await ReadVerifiedBlocksInPlaceAsync(file, replica, state, sink, cancellationToken);
            return new LocalOutcome(info, completed);
        }
    }

    /// <summary>
    /// Reads whole blocks, <see cref="ChunkReadOptions.LocalReadBytes"/> at a time, and delivers the wanted part
    /// of every block that is all there and matches its CRC-32C. The next piece of the file is read while the
    /// current one is checked and delivered, so the copy from the page cache (or the disk's latency) overlaps
    /// the checksum work and the destination.
    /// </summary>
    /// <returns>False at the first block that is short or fails its check; nothing of it was delivered.</returns>
    private async Task<bool> ReadVerifiedBlocksAsync(SafeFileHandle file, LocalReplica replica, ReadState state,
        ReadTarget sink, CancellationToken cancellationToken)
    {
        var pieceBytes = _options.LocalReadBytes;
        // Whole blocks from the one holding the range's first byte to the one holding its last.
        var fileStart = state.Position / ChunkLayout.BlockSize * ChunkLayout.BlockSize;
        var fileEnd = Math.Min(replica.Info.Length, (long)ChunkLayout.BlockCount(state.End) * ChunkLayout.BlockSize);
        var current = ArrayPool<byte>.Shared.Rent(pieceBytes);
        var next = ArrayPool<byte>.Shared.Rent(pieceBytes);
        Task<int>? ahead = null;
        try
        {
            var start = fileStart;
            var length = (int)Math.Min(pieceBytes, fileEnd - start);
            var read = ReadPiece(file, current.AsMemory(0, length), start);
            while (length > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var nextStart = start + length;
                var nextLength = (int)Math.Min(pieceBytes, fileEnd - nextStart);
                var nextBuffer = next;
                ahead = nextLength > 0 ? Task.Run(() => ReadPiece(file, nextBuffer.AsMemory(0, nextLength), nextStart), CancellationToken.None) : null;

                var firstBlock = (int)(start / ChunkLayout.BlockSize);
                var verified = read < 0 ? 0 : VerifiedPrefix(current.AsSpan(0, read), firstBlock, replica);
                var from = (int)(state.Position - start);
                var to = (int)Math.Min(verified, state.End - start);
                if (to > from)
                {
                    await DeliverAsync(sink, current.AsMemory(from, to - from), cancellationToken);
                    state.Position = start + to;
                    Interlocked.Add(ref _bytesRead, to - from);
                    Interlocked.Add(ref _localBytesRead, to - from);
                }
                if (verified < length)
                {
                    return false;
                }
                read = ahead is null ? 0 : await ahead;
                ahead = null;
                (current, next) = (next, current);
                (start, length) = (nextStart, nextLength);
            }
            return true;
        }
        finally
        {
            if (ahead is not null)
            {
                // The buffer being filled goes back to the pool only once the read into it is over.
                await ahead;
            }
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>
    /// <see cref="ReadVerifiedBlocksAsync"/> into a pipe: each piece is read from the file straight into the pipe's
    /// memory, checked there, and committed and flushed only if it matches, so nothing unverified is ever sent and the
    /// bytes are copied once on their way to the pipe's reader. No read-ahead: the flush hands the piece to the pipe's
    /// reader (a socket sender) and returns while it is sent, so reading and checking the next piece overlaps the send.
    /// </summary>
    /// <returns>False at the first block that is short or fails its check; nothing of it was committed.</returns>
    private async Task<bool> ReadVerifiedBlocksInPlaceAsync(SafeFileHandle file, LocalReplica replica, ReadState state,
        ReadTarget sink, CancellationToken cancellationToken)
    {
        var writer = sink.Writer!;
        var pieceBytes = _options.LocalReadBytes;
        var start = state.Position / ChunkLayout.BlockSize * ChunkLayout.BlockSize;
        var fileEnd = Math.Min(replica.Info.Length, (long)ChunkLayout.BlockCount(state.End) * ChunkLayout.BlockSize);
        while (start < fileEnd)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = (int)Math.Min(pieceBytes, fileEnd - start);
            Memory<byte> piece;
            try
            {
                piece = writer.GetMemory(length)[..length];
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DestinationFailedException(e);
            }
            var read = ReadPiece(file, piece, start);
            var firstBlock = (int)(start / ChunkLayout.BlockSize);
            var verified = read < 0 ? 0 : VerifiedPrefix(piece.Span[..read], firstBlock, replica);
            var from = (int)(state.Position - start);
            var to = (int)Math.Min(verified, state.End - start);
            if (to > from)
            {
                if (from > 0)
                {
                    // The range starts inside this piece's first block: the wanted bytes move to the front of the memory.
                    piece.Span[from..to].CopyTo(piece.Span);
                }
                try
                {
                    await sink.AdvanceAsync(to - from, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DestinationFailedException(e);
                }
                state.Position = start + to;
                Interlocked.Add(ref _bytesRead, to - from);
                Interlocked.Add(ref _localBytesRead, to - from);
            }
            if (verified < length)
            {
                return false;
            }
            start += length;
        }
        return true;
    }

    /// <summary>Fills <paramref name="destination"/> from the file; fewer bytes at its end, -1 on an I/O error (the piece then fails its check).</summary>
    private static int ReadPiece(SafeFileHandle file, Memory<byte> destination, long offset)
    {
        try
        {
            return FileReads.ReadFully(file, destination.Span, offset);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>How many leading bytes of <paramref name="bytes"/>, starting at block <paramref name="firstBlock"/>, are whole blocks matching their checksums.</summary>
    private static int VerifiedPrefix(ReadOnlySpan<byte> bytes, int firstBlock, LocalReplica replica)
    {
        var verified = 0;
        for (var block = firstBlock; verified < bytes.Length; block++)
        {
            var length = ChunkLayout.BlockLength(replica.Info.Length, block);
            if (bytes.Length - verified < length || Crc32C.Compute(bytes.Slice(verified, length)) != replica.BlockCrcs[block])
            {
                break;
            }
            verified += length;
        }
        return verified;
    }

    /// <param name="Replica">The replica the destination was told of, if the read got that far.</param>
    /// <param name="Completed">The whole range was delivered.</param>
    private readonly record struct LocalOutcome(ChunkInfo? Replica, bool Completed);
}
