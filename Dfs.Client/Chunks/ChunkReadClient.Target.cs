using System.IO.Pipelines;

namespace Dfs.Client.Chunks;

public sealed partial class ChunkReadClient
{
    /// <summary>
    /// Where a read's verified bytes go: a sink handed each piece, or a pipe, whose memory a local read fills in place
    /// (see <see cref="ReadVerifiedBlocksInPlaceAsync"/>) and into which bytes from a connection are copied.
    /// </summary>
    private sealed class ReadTarget
    {
        private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? _sink;
        private readonly Action<long>? _delivered;

        public ReadTarget(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink) => _sink = sink;

        public ReadTarget(PipeWriter writer, Action<long>? delivered)
        {
            Writer = writer;
            _delivered = delivered;
        }

        /// <summary>The destination pipe, if the destination is one.</summary>
        public PipeWriter? Writer { get; }

        /// <summary>Hands on bytes held elsewhere (a connection's buffers, a pooled piece of a file).</summary>
        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (Writer is null)
            {
                await _sink!(data, cancellationToken);
                return;
            }
            Check(await Writer.WriteAsync(data, cancellationToken));
            _delivered?.Invoke(data.Length);
        }

        /// <summary>Commits <paramref name="count"/> bytes already written into <see cref="Writer"/>'s memory, and flushes them.</summary>
        public async ValueTask AdvanceAsync(int count, CancellationToken cancellationToken)
        {
            Writer!.Advance(count);
            Check(await Writer.FlushAsync(cancellationToken));
            _delivered?.Invoke(count);
        }

        private static void Check(FlushResult result)
        {
            if (result.IsCompleted)
            {
                throw new IOException("The destination of the read stopped accepting bytes.");
            }
        }
    }
}
