using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// A real SMTP server for a test: Debian's aiosmtpd on 127.0.0.1 and a free port, storing what it accepts in a
/// Maildir (one file per message under new/), as e2e/stack/smtp.sh runs it for the local stack. It can be stopped (as
/// a crashed mail server) and started again on the same port. Its handler refuses, with 550 at RCPT TO, any recipient
/// whose local part starts with <see cref="BouncePrefix"/>, so tests can see a mailbox that does not exist.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    public const string BouncePrefix = "bounce";

    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // aiosmtpd's Mailbox handler writes the Maildir; handle_RCPT is the hook aiosmtpd calls for each RCPT TO.
    private const string HandlerModule = """
        from aiosmtpd.handlers import Mailbox

        class RejectingMailbox(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower().startswith("bounce"):
                    return "550 5.1.1 <" + address + ">: mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"
        """;

    private readonly TempDirectory _directory = new("portal-smtp");
    private Process? _process;

    private SmtpSink()
    {
    }

    public int Port { get; private set; }

    public string MaildirPath => _directory.File("maildir");

    public string LogPath => _directory.File("smtp.log");

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<SmtpSink> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} was not found. Install Debian's 'python3-aiosmtpd' package (e2e/stack/install-packages.sh does).");
        }

        var sink = new SmtpSink();
        try
        {
            sink.Port = LocalServers.FreePort();
            foreach (var folder in new[] { "new", "cur", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(sink.MaildirPath, folder));
            }

            await File.WriteAllTextAsync(sink._directory.File("portal_test_smtp.py"), HandlerModule, cancellationToken);
            await sink.LaunchAsync(cancellationToken);
            return sink;
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server, as a crash would; <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
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
        IsRunning ? throw new InvalidOperationException("The SMTP sink is running; call Stop() first.") : LaunchAsync(cancellationToken);

    /// <summary>Every message delivered so far, oldest first, parsed with MimeKit.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        new DirectoryInfo(Path.Combine(MaildirPath, "new")).GetFiles()
            .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => MimeMessage.Load(f.FullName))
            .ToList();

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

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        // -n: keep running as the test user (it owns the Maildir); -d: log each SMTP session. The handler module is
        // found through PYTHONPATH; aiosmtpd passes the Maildir to its constructor (-c module.Class ARGS).
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList =
            {
                "-c", "exec \"$0\" -m aiosmtpd -n -d -l \"127.0.0.1:$1\" -c portal_test_smtp.RejectingMailbox \"$2\" >>\"$3\" 2>&1",
                Python, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), MaildirPath, LogPath,
            },
            UseShellExecute = false,
        };
        start.Environment["PYTHONPATH"] = _directory.Path;
        start.Environment["PYTHONUNBUFFERED"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start aiosmtpd.");
        var waited = Stopwatch.StartNew();
        while (!await AcceptsConnectionsAsync(cancellationToken))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with {_process.ExitCode} while starting. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            if (waited.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException($"aiosmtpd did not listen on 127.0.0.1:{Port} within {StartTimeout}. Its log:\n{LocalServers.LogTail(LogPath)}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
