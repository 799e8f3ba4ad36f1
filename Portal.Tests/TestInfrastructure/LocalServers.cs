using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.TestInfrastructure;

/// <summary>What every real service the tests start on loopback needs: a free port, and its log's tail when it fails.</summary>
internal static class LocalServers
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string LogTail(string path, int lines = 40)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }
}
