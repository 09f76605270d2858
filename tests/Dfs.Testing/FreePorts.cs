using System.Net;
using System.Net.Sockets;

namespace Dfs.Testing;

/// <summary>Finds TCP ports on 127.0.0.1 that are free right now.</summary>
/// <remarks>
/// The ports are found by binding sockets to port 0 (the OS picks a free port), all at the same time so
/// that they are distinct, then closing them. Between that close and the moment the caller binds the port,
/// another process may take it: the race window is small but real. Prefer binding port 0 in the component
/// itself and reading back the bound port; use this only where a port must be known before start (a
/// cluster configuration written for child processes), and expect a rare "address in use" on a busy machine.
/// </remarks>
public static class FreePorts
{
    /// <summary>Returns <paramref name="count"/> distinct loopback ports that were free when checked.</summary>
    public static int[] Get(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sockets = new List<Socket>(count);
        try
        {
            var ports = new int[count];
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                ports[i] = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }

            return ports;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Returns one loopback port that was free when checked.</summary>
    public static int GetOne() => Get(1)[0];
}
