using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
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
/// <para>
/// Started with a definitions version, the database is instead a "daily" database like the official one (an unsigned
/// .cud, which clamd loads without a signing key), so VERSION reports that version and
/// <see cref="ChangeDefinitionsAsync"/> can publish new definitions as freshclam would. It also holds
/// <see cref="BodySignature"/>, a pattern found anywhere inside a file, for tests about big files.
/// </para>
/// </summary>
public sealed class ClamdServer : IAsyncLifetime
{
    /// <summary>clamd.conf's StreamMaxLength here unless a test asks for more: 1M, which clamd counts as 1024 * 1024 bytes.</summary>
    public const long StreamMaxLength = 1024 * 1024;

    public const string EicarSignature = "Eicar-Test-Signature.UNOFFICIAL";

    /// <summary>What clamd reports for <see cref="BodyMarker"/> anywhere in a file (daily databases only).</summary>
    public const string BodySignature = "Portal-Test-Body.UNOFFICIAL";

    /// <summary>What definitions published with <see cref="ChangeDefinitionsAsync(byte[], CancellationToken)"/> call newly detected content.</summary>
    public const string NewSignature = "Portal-Test-New.UNOFFICIAL";

    private readonly List<byte[]> _newlyDetected = [];

    private const string Executable = "/usr/sbin/clamd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("portal-clamd");
    private readonly long _streamMaxLength;
    private readonly string _extraConfig;
    private Process? _process;

    public ClamdServer()
        : this(StreamMaxLength, definitionsVersion: null, extraConfig: "")
    {
    }

    private ClamdServer(long streamMaxLength, int? definitionsVersion, string extraConfig)
    {
        _streamMaxLength = streamMaxLength;
        DefinitionsVersion = definitionsVersion;
        _extraConfig = extraConfig;
    }

    /// <summary>A byte pattern that <see cref="BodySignature"/> finds wherever it sits in a file.</summary>
    public static byte[] BodyMarker { get; } = Encoding.ASCII.GetBytes("portal test marker: not harmful, only to be found");

    /// <summary>The daily database version clamd reports, or null for the plain .hdb database.</summary>
    public int? DefinitionsVersion { get; private set; }

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

    /// <summary>CPU time clamd has used so far (user and system), for benchmarks that compare what a scan costs it.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            var process = _process ?? throw new InvalidOperationException("clamd is not running.");
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

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
    /// <param name="extraConfig">More clamd.conf lines (e.g. "MaxFileSize 200M"), for benchmarks that need clamd's limits raised.</param>
    public static async Task<ClamdServer> StartAsync(
        long streamMaxLength = StreamMaxLength, int? definitionsVersion = null, string extraConfig = "",
        CancellationToken cancellationToken = default)
    {
        var server = new ClamdServer(streamMaxLength, definitionsVersion, extraConfig);
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

        Port = LocalServers.FreePort();
        var database = _directory.File("db");
        Directory.CreateDirectory(database);
        Directory.CreateDirectory(_directory.File("tmp"));

        await WriteDatabaseAsync(database, cancellationToken);

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
            {_extraConfig}
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
                throw new InvalidOperationException($"clamd exited with {_process.ExitCode} while starting. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException($"clamd did not answer PING on 127.0.0.1:{Port} within {StartTimeout}. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>
    /// Publishes new definitions (the next daily version, same signatures) and makes clamd load them, as freshclam
    /// does after an update; returns once VERSION reports the new version.
    /// </summary>
    public Task ChangeDefinitionsAsync(CancellationToken cancellationToken = default) => ChangeDefinitionsAsync(null, cancellationToken);

    /// <summary>
    /// As <see cref="ChangeDefinitionsAsync(CancellationToken)"/>, and the new definitions also find
    /// <paramref name="newlyDetected"/> (as <see cref="NewSignature"/>): content that was clean is not any more.
    /// </summary>
    public async Task ChangeDefinitionsAsync(byte[]? newlyDetected, CancellationToken cancellationToken = default)
    {
        if (newlyDetected is not null)
        {
            _newlyDetected.Add(newlyDetected);
        }

        if (DefinitionsVersion is null)
        {
            throw new InvalidOperationException("This clamd has no daily database; start it with a definitions version.");
        }

        DefinitionsVersion++;
        await WriteDatabaseAsync(_directory.File("db"), cancellationToken);
        await CommandAsync("zRELOAD\0", cancellationToken);
        var deadline = Stopwatch.StartNew();
        while (!(await CommandAsync("zVERSION\0", cancellationToken)).Contains($"/{DefinitionsVersion}/", StringComparison.Ordinal))
        {
            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"clamd did not load definitions {DefinitionsVersion}. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private async Task WriteDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        // The .hdb format is "md5:size:name"; what sigtool --md5 writes, without needing sigtool.
#pragma warning disable CA5351 // MD5 is what the .hdb signature format is defined over; nothing here relies on its strength.
        var md5 = Convert.ToHexStringLower(MD5.HashData(Eicar));
#pragma warning restore CA5351
        var hdb = $"{md5}:{Eicar.Length}:{EicarSignature.Replace(".UNOFFICIAL", "", StringComparison.Ordinal)}\n";
        if (DefinitionsVersion is not { } version)
        {
            await File.WriteAllTextAsync(Path.Combine(database, "test.hdb"), hdb, cancellationToken);
            return;
        }

        // .ndb: "name:target type (0 = any file):offset (* = anywhere):hex pattern".
        var ndb = $"{BodySignature.Replace(".UNOFFICIAL", "", StringComparison.Ordinal)}:0:*:{Convert.ToHexStringLower(BodyMarker)}\n"
            + string.Concat(_newlyDetected.Select(pattern => $"{NewSignature.Replace(".UNOFFICIAL", "", StringComparison.Ordinal)}:0:*:{Convert.ToHexStringLower(pattern)}\n"));
        var temporary = Path.Combine(database, "daily.cud.new");
        await File.WriteAllBytesAsync(temporary, DailyDatabase(version, ("daily.hdb", hdb), ("daily.ndb", ndb)), cancellationToken);
        File.Move(temporary, Path.Combine(database, "daily.cud"), overwrite: true);
    }

    // The container format of ClamAV's databases: a 512-byte text header ("ClamAV-VDB:build time:version:signatures:
    // functionality level:MD5 of the rest:digital signature:builder:build time in seconds") and a gzip'd tar whose
    // daily.info lists each file with its size and SHA-256. An unsigned database (.cud, "X" for the signature) is what
    // sigtool --build --unsigned writes; written here directly so the tests need no interactive sigtool.
    private static byte[] DailyDatabase(int version, params (string Name, string Content)[] files)
    {
        var built = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(version % 1000);
        var time = built.ToString("dd MMM yyyy HH-mm", CultureInfo.InvariantCulture) + " +0000";
        var head = $"ClamAV-VDB:{time}:{version}:{files.Length}:90";
        var tail = $"portal-tests:{built.ToUnixTimeSeconds()}";
        var info = new StringBuilder($"{head}:X:X:{tail}\n");
        foreach (var (name, content) in files)
        {
            var bytes = Encoding.ASCII.GetBytes(content);
            info.Append(CultureInfo.InvariantCulture, $"{name}:{bytes.Length}:{Convert.ToHexStringLower(SHA256.HashData(bytes))}\n");
        }

        using var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            foreach (var (name, content) in files.Prepend(("daily.info", info.ToString())))
            {
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.ASCII.GetBytes(content)),
                    ModificationTime = built,
                });
            }
        }

#pragma warning disable CA5351 // The header's checksum is defined as MD5.
        var header = $"{head}:{Convert.ToHexStringLower(MD5.HashData(body.ToArray()))}:X:{tail}";
#pragma warning restore CA5351
        return [.. Encoding.ASCII.GetBytes(header.PadRight(512)), .. body.ToArray()];
    }

    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cancellationToken);
        using var reply = new MemoryStream();
        await stream.CopyToAsync(reply, cancellationToken);
        return Encoding.ASCII.GetString(reply.ToArray()).TrimEnd('\0');
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
}
