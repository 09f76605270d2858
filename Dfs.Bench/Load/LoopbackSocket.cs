using System.Net;
using System.Net.Sockets;

namespace Dfs.Bench.Load;

/// <summary>
/// One TCP connection over loopback inside the bench, with a receiver that reads 1 MiB at a time and drops the bytes, as
/// the download's client does: the floor any download on one machine meets, since its bytes cross one such socket.
/// </summary>
/// <remarks>
/// No HTTP, no gateway, no Kestrel: what is left is the kernel's copy into the socket, its copy out, and the wake-ups
/// between the two ends. Measuring a download beside bytes sent through this says how much of the download's time is
/// the socket itself, and so how close to the short-circuit read any server that sends over a socket could come here.
/// </remarks>
internal sealed class LoopbackSocket : IAsyncDisposable
{
    private const int ReceiveBytes = 1024 * 1024;

    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly Task<long> _received;

    private LoopbackSocket(Socket sender, Socket receiver)
    {
        _sender = sender;
        _receiver = receiver;
        _received = Task.Run(DrainAsync);
    }

    /// <summary>Connects a sender to a receiver on a port the system picks.</summary>
    public static async Task<LoopbackSocket> OpenAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync();
        await receiver.ConnectAsync(listener.LocalEndPoint!);
        var sender = await accepting;
        sender.NoDelay = true;
        return new LoopbackSocket(sender, receiver);
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _sender.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Ends the sending side and waits until the receiver has read everything; returns the bytes it read.</summary>
    public async Task<long> FinishAsync()
    {
        _sender.Shutdown(SocketShutdown.Send);
        return await _received;
    }

    public async ValueTask DisposeAsync()
    {
        _sender.Dispose();
        _receiver.Dispose();
        try
        {
            await _received;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed before the sender finished: the caller already failed.
        }
    }

    private async Task<long> DrainAsync()
    {
        var buffer = new byte[ReceiveBytes];
        long total = 0;
        int read;
        while ((read = await _receiver.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            total += read;
        }
        return total;
    }
}
