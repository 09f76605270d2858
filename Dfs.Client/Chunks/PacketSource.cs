using System.Buffers;
using System.IO.Pipelines;

namespace Dfs.Client.Chunks;

/// <summary>Where a write's bytes come from: fills whole packets until the end.</summary>
internal abstract class PacketSource
{
    /// <summary>Fills <paramref name="buffer"/> completely, or less only at the end of the data; 0 at the end.</summary>
    public abstract ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    public static PacketSource From(Stream stream) => new StreamSource(stream);

    public static PacketSource From(PipeReader reader) => new PipeSource(reader);

    private sealed class StreamSource(Stream stream) : PacketSource
    {
        public override async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
            await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
    }

    private sealed class PipeSource(PipeReader reader) : PacketSource
    {
        public override async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var filled = 0;
            while (filled < buffer.Length)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var data = result.Buffer;
                var take = (int)Math.Min(data.Length, buffer.Length - filled);
                data.Slice(0, take).CopyTo(buffer.Span[filled..]);
                filled += take;
                reader.AdvanceTo(data.GetPosition(take));
                if (take == 0 && (result.IsCompleted || result.IsCanceled))
                {
                    break;
                }
            }
            return filled;
        }
    }
}
