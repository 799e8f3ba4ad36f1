using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Portal.Integrations.ClamAv;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A real clamd (Debian's clamav-daemon) for this test run, listening on 127.0.0.1 and a free port AND on a Unix
/// socket, with a database of one signature: the MD5 of the EICAR test file, which clamd reports as
/// <see cref="EicarSignature"/> (as e2e/stack/clamd.sh sets it up). StreamMaxLength is kept small
/// (<see cref="StreamMaxLength"/>) so tests can exceed it cheaply.
/// <para>
/// Used as an assembly fixture (one clamd for everything), or started by a test with <see cref="StartAsync"/> when
/// the test needs one it can stop. Starting takes a fraction of a second with this database.
/// </para>
/// </summary>
public sealed class ClamdServer : IAsyncLifetime
{
    /// <summary>clamd.conf's StreamMaxLength here unless a test asks for more: 1M, which clamd counts as 1024 * 1024 bytes.</summary>
    public const long StreamMaxLength = 1024 * 1024;

    public const string EicarSignature = "Eicar-Test-Signature.UNOFFICIAL";

    private const string Executable = "/usr/sbin/clamd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("portal-clamd");
    private readonly long _streamMaxLength;
    private Process? _process;

    public ClamdServer()
        : this(StreamMaxLength)
    {
    }

    private ClamdServer(long streamMaxLength)
    {
        _streamMaxLength = streamMaxLength;
    }

    /// <summary>
    /// The EICAR anti-virus test file (https://www.eicar.org): 68 harmless bytes every scanner detects. Built from
    /// halves so this source file itself is not the test file.
    /// </summary>
    public static byte[] Eicar { get; } = Encoding.ASCII.GetBytes(
        @"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    public int Port { get; private set; }

    public string SocketPath => _directory.File("clamd.sock");

    public string LogPath => _directory.File("clamd.log");

    /// <summary>This clamd's clamd.conf, which clamdscan reads to find it (--config-file).</summary>
    public string ConfigPath => _directory.File("clamd.conf");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Options for the TCP listener, with this clamd's StreamMaxLength.</summary>
    public ClamAvOptions TcpOptions(Action<ClamAvOptions>? configure = null)
    {
        var options = new ClamAvOptions { Host = "127.0.0.1", Port = Port, StreamMaxLength = _streamMaxLength, ConnectTimeoutSeconds = 5, ScanTimeoutSeconds = 30 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Options for the Unix socket, with this clamd's StreamMaxLength.</summary>
    public ClamAvOptions UnixSocketOptions(Action<ClamAvOptions>? configure = null)
    {
        var options = new ClamAvOptions { UnixSocket = SocketPath, StreamMaxLength = _streamMaxLength, ConnectTimeoutSeconds = 5, ScanTimeoutSeconds = 30 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Starts a clamd of the test's own (to stop, or with a larger <paramref name="streamMaxLength"/> in bytes).</summary>
    public static async Task<ClamdServer> StartAsync(long streamMaxLength = StreamMaxLength, CancellationToken cancellationToken = default)
    {
        var server = new ClamdServer(streamMaxLength);
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public ValueTask InitializeAsync() => new(StartCoreAsync(TestContext.Current.CancellationToken));

    /// <summary>Kills clamd (as a crash would); <see cref="StartAgainAsync"/> brings it back on the same port and socket.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _process = null;
    }

    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        IsRunning ? throw new InvalidOperationException("clamd is running; call Stop() first.") : LaunchAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        try
        {
            Stop();
        }
        finally
        {
            _directory.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"{Executable} was not found. Install Debian's 'clamav-daemon' package (e2e/stack/install-packages.sh does).");
        }

        Port = FreePort();
        var database = _directory.File("db");
        Directory.CreateDirectory(database);
        Directory.CreateDirectory(_directory.File("tmp"));

        // The .hdb format is "md5:size:name"; what sigtool --md5 writes, without needing sigtool.
#pragma warning disable CA5351 // MD5 is what the .hdb signature format is defined over; nothing here relies on its strength.
        var md5 = Convert.ToHexStringLower(MD5.HashData(Eicar));
#pragma warning restore CA5351
        await File.WriteAllTextAsync(Path.Combine(database, "test.hdb"),
            $"{md5}:{Eicar.Length}:{EicarSignature.Replace(".UNOFFICIAL", "", StringComparison.Ordinal)}\n", cancellationToken);

        // No "User" line: clamd keeps running as whoever runs the tests (Debian's default config says clamav, which
        // could not read this directory). MaxThreads stays at clamd's default (10), as in production.
        var config = $"""
            Foreground yes
            DatabaseDirectory {database}
            TemporaryDirectory {_directory.File("tmp")}
            PidFile {_directory.File("clamd.pid")}
            TCPAddr 127.0.0.1
            TCPSocket {Port}
            LocalSocket {SocketPath}
            LocalSocketMode 660
            FixStaleSocket yes
            StreamMaxLength {_streamMaxLength}
            LogTime yes
            """;
        await File.WriteAllTextAsync(_directory.File("clamd.conf"), config, cancellationToken);
        await LaunchAsync(cancellationToken);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // The shell only sends both streams to the log and becomes clamd (exec), so the process held is clamd itself.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", $"exec {Executable} --config-file=\"$0\" >>\"$1\" 2>&1", _directory.File("clamd.conf"), LogPath },
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start clamd.");
        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync(cancellationToken) || !File.Exists(SocketPath))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"clamd exited with {_process.ExitCode} while starting. Its log:\n{ReadLogTail()}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException($"clamd did not answer PING on 127.0.0.1:{Port} within {StartTimeout}. Its log:\n{ReadLogTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    // A raw PING, independent of the client under test.
    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("zPING\0"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAtLeastAsync(buffer, 5, throwOnEndOfStream: false, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read) == "PONG\0";
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string ReadLogTail()
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogPath).TakeLast(40));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
