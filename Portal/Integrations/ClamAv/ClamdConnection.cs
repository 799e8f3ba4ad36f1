using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Integrations.ClamAv;

/// <summary>
/// One socket to clamd, TCP or Unix, speaking the z-prefixed (NUL-terminated) form of clamd's commands. Not
/// thread-safe: one command and its reply at a time. Every socket failure surfaces as <see cref="ClamdException"/>
/// naming clamd's address; cancellation stays <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class ClamdConnection : IDisposable
{
    private const int MaxReplyLength = 64 * 1024;
    private static readonly byte[] EndCommand = "zEND\0"u8.ToArray();

    private readonly Socket _socket;
    private readonly string _address;
    private byte[] _replyBuffer = new byte[256];
    private int _lastCommandId;
    private bool _disposed;

    private ClamdConnection(Socket socket, string address, bool inSession)
    {
        _socket = socket;
        _address = address;
        InSession = inSession;
    }

    /// <summary>True when the connection is inside an IDSESSION: replies carry "&lt;id&gt;: " and it stays open.</summary>
    public bool InSession { get; }

    public static async Task<ClamdConnection> ConnectAsync(ClamAvOptions options, bool session, CancellationToken cancellationToken)
    {
        Socket socket;
        EndPoint endpoint;
        if (options.UsesUnixSocket)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endpoint = new UnixDomainSocketEndPoint(options.UnixSocket!);
        }
        else
        {
            // Without NoDelay, Nagle holds back the last small chunk and the terminator until the previous segment is
            // acknowledged, which with delayed ACKs costs up to 40 ms per scan.
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            endpoint = new DnsEndPoint(options.Host!, options.Port);
        }

        var connection = new ClamdConnection(socket, options.Address, session);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            if (session)
            {
                // IDSESSION has no reply of its own; commands after it are numbered from 1.
                await connection.SendAsync("zIDSESSION\0"u8.ToArray(), cancellationToken);
            }

            return connection;
        }
        catch (SocketException e)
        {
            connection.Dispose();
            throw new ClamdException($"cannot connect to clamd at {options.Address}: {e.Message}", connectionLost: true, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Counts a command about to be sent; returns the id clamd will prefix its reply with in a session.</summary>
    public int BeginCommand() => ++_lastCommandId;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
                data = data[sent..];
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            throw new ClamdException($"sending to clamd at {_address} failed: {e.Message}", connectionLost: true, e);
        }
    }

    /// <summary>Hands clamd a descriptor of <paramref name="file"/>, after a FILDES command (Unix sockets only).</summary>
    public void SendFileDescriptor(Microsoft.Win32.SafeHandles.SafeFileHandle file, TimeSpan timeout)
    {
        try
        {
            FileDescriptorPassing.Send(_socket, file, timeout);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw new ClamdException($"passing a file to clamd at {_address} failed: {e.Message}", connectionLost: true, e);
        }
    }

    /// <summary>Reads one NUL-terminated reply and returns it without the NUL.</summary>
    public async ValueTask<string> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (count == _replyBuffer.Length)
            {
                if (count >= MaxReplyLength)
                {
                    throw new ClamdException(
                        $"clamd at {_address} sent more than {MaxReplyLength} bytes without ending its reply: '{Decode(count)[..200]}...'");
                }

                Array.Resize(ref _replyBuffer, _replyBuffer.Length * 2);
            }

            int received;
            try
            {
                received = await _socket.ReceiveAsync(_replyBuffer.AsMemory(count), SocketFlags.None, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                throw new ClamdException($"reading from clamd at {_address} failed: {e.Message}", connectionLost: count == 0, e);
            }

            if (received == 0)
            {
                throw count == 0
                    ? new ClamdException($"clamd at {_address} closed the connection without answering", connectionLost: true)
                    : new ClamdException($"clamd at {_address} closed the connection in the middle of its reply '{Decode(count)}'");
            }

            var end = Array.IndexOf(_replyBuffer, (byte)0, count, received);
            count += received;
            if (end >= 0)
            {
                if (end != count - 1)
                {
                    // One command, one reply: anything after it means we and clamd disagree about the conversation.
                    throw new ClamdException($"clamd at {_address} sent more than one reply: '{Decode(count).Replace('\0', '|')}'");
                }

                return Decode(end);
            }
        }
    }

    /// <summary>
    /// False when an idle connection has been closed by clamd (or has unexpected data waiting): with no command
    /// outstanding, a readable socket can only mean end of stream or something that is not ours.
    /// </summary>
    public bool LooksAlive()
    {
        try
        {
            return !_disposed && _socket.Connected && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Ends an idle session politely (clamd then closes its side) and closes the socket.</summary>
    public void EndSessionAndDispose()
    {
        if (InSession && !_disposed)
        {
            try
            {
                // Never blocks in practice: an idle socket has an empty send buffer. Only ever called between
                // commands; mid-INSTREAM these bytes would read as a chunk length.
                _socket.Send(EndCommand, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // clamd already gone; nothing to end.
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
    }

    private string Decode(int count) => Encoding.UTF8.GetString(_replyBuffer, 0, count);
}
