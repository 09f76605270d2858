using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dfs.Bench.Report;

/// <summary>
/// What this machine itself allows, measured with plain .NET I/O and no Dfs code, as the references the cluster's figures
/// are read against: how many small writes each followed by an fsync one file takes per second (every Raft commit and
/// every chunk write waits on one), sequential write to disk, rereading the page cache, a plain file copy, and one loopback
/// TCP stream.
/// </summary>
internal static class MachineLimits
{
    private const int Block = 1024 * 1024;

    public static async Task<MachineFigures> MeasureAsync(string folder, long bytes, TimeSpan fsyncDuration)
    {
        Directory.CreateDirectory(folder);
        var source = Path.Combine(folder, "sequential.bin");
        var copy = Path.Combine(folder, "copy.bin");
        try
        {
            var fsyncs = FsyncsPerSecond(Path.Combine(folder, "fsync.bin"), fsyncDuration);
            var write = await SequentialWriteAsync(source, bytes);
            var read = await PageCacheReadAsync(source);
            var copied = Copy(source, copy);
            var loopback = await LoopbackTcpAsync(bytes);
            return new MachineFigures(fsyncs, write, read, copied, loopback, bytes);
        }
        finally
        {
            File.Delete(source);
            File.Delete(copy);
            File.Delete(Path.Combine(folder, "fsync.bin"));
        }
    }

    /// <summary>Appends of 4 KiB, each followed by an fsync, for the given time: the bound on one log's commits per second.</summary>
    private static double FsyncsPerSecond(string path, TimeSpan duration)
    {
        var block = new byte[4096];
        Random.Shared.NextBytes(block);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var count = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            file.Write(block);
            file.Flush(flushToDisk: true);
            count++;
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Writes <paramref name="bytes"/> in 1 MiB blocks and fsyncs once at the end; MiB/s including the fsync.</summary>
    private static async Task<double> SequentialWriteAsync(string path, long bytes)
    {
        var block = new byte[Block];
        Random.Shared.NextBytes(block);
        var clock = Stopwatch.StartNew();
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            for (long written = 0; written < bytes; written += Block)
            {
                await file.WriteAsync(block);
            }
            file.Flush(flushToDisk: true);
        }
        return Rate(bytes, clock.Elapsed);
    }

    /// <summary>Reads back a file just written (so from the page cache) in 1 MiB reads.</summary>
    private static async Task<double> PageCacheReadAsync(string path)
    {
        var buffer = new byte[Block];
        var clock = Stopwatch.StartNew();
        long total = 0;
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            total += read;
        }
        return Rate(total, clock.Elapsed);
    }

    /// <summary><see cref="File.Copy(string, string, bool)"/> of the file, then an fsync of the copy.</summary>
    private static double Copy(string source, string destination)
    {
        var clock = Stopwatch.StartNew();
        File.Copy(source, destination, overwrite: true);
        using (var file = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1))
        {
            file.Flush(flushToDisk: true);
        }
        return Rate(new FileInfo(source).Length, clock.Elapsed);
    }

    /// <summary>One TCP connection over loopback carrying <paramref name="bytes"/> in 1 MiB writes to a reader that discards them.</summary>
    private static async Task<double> LoopbackTcpAsync(long bytes)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var receiving = Task.Run(async () =>
        {
            using var server = await listener.AcceptSocketAsync();
            var buffer = new byte[Block];
            long total = 0;
            int read;
            while ((read = await server.ReceiveAsync(buffer)) > 0)
            {
                total += read;
            }
            return total;
        });
        var block = new byte[Block];
        Random.Shared.NextBytes(block);
        var clock = Stopwatch.StartNew();
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            for (long sent = 0; sent < bytes; sent += Block)
            {
                await client.SendAsync(block);
            }
            client.Shutdown(SocketShutdown.Send);
            await receiving;
        }
        return Rate(await receiving, clock.Elapsed);
    }

    private static double Rate(long bytes, TimeSpan elapsed) => bytes / (1024.0 * 1024.0) / elapsed.TotalSeconds;
}

/// <summary>The machine's own limits: fsyncs/s of one file, and MiB/s for the rest.</summary>
internal sealed record MachineFigures(double FsyncsPerSecond, double SequentialWrite, double PageCacheRead, double FileCopy, double LoopbackTcp, long Bytes);
