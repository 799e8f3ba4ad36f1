using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// A server the tests start as a child process (the portal, the identity provider or the OCI registry). Its standard output and
/// error go to a log file (and are kept in memory for failure messages). It is stopped with SIGTERM, so that it
/// shuts down cleanly, and its process tree is killed if it does not stop in time.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    private ServerProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    /// <summary>Lines logged so far; with <see cref="DescribeLinesSince"/> it shows what one test caused.</summary>
    public int LineCount
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Starts <c>dotnet</c> with <paramref name="arguments"/>, adding <paramref name="environment"/> to its environment.</summary>
    public static ServerProcess Start(
        string name,
        string workingDirectory,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string logPath) =>
        Start(name, "dotnet", workingDirectory, arguments, environment, logPath);

    /// <summary>Starts <paramref name="fileName"/> (e.g. <c>docker-registry</c>) with <paramref name="arguments"/>.</summary>
    public static ServerProcess Start(
        string name,
        string fileName,
        string workingDirectory,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string logPath)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Settings from a developer's shell or the test runner must not leak into the servers.
        foreach (var key in startInfo.Environment.Keys.Where(IsInheritedAppSetting).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = true };
        log.WriteLine($"# {DateTimeOffset.UtcNow:O} starting {name}: {fileName} {string.Join(' ', arguments)} (in {workingDirectory})");
        var process = new Process { StartInfo = startInfo };
        var server = new ServerProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => server.Append(e.Data, stderr: false);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data, stderr: true);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails early, with the log, if the process exits.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient http, Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var lastProblem = "no answer yet";
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The {Name} exited with code {_process.ExitCode} before {url} answered.\n{DescribeLog()}");
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(url, attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                lastProblem = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                lastProblem = ex.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = "request timed out";
            }

            // A server that is starting has nothing to wait on but its health endpoint.
            await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken);
        }

        throw new TimeoutException(
            $"The {Name} did not answer 200 on {url} within {timeout.TotalSeconds:0} s (last: {lastProblem}).\n{DescribeLog()}");
    }

    /// <summary>The log file's path and its last lines, for failure messages.</summary>
    public string DescribeLog(int lines = 60)
    {
        lock (_lock)
        {
            return Describe(_lines.Skip(Math.Max(0, _lines.Count - lines)).ToList(), $"last {Math.Min(lines, _lines.Count)} of {_lines.Count} lines");
        }
    }

    /// <summary>The lines logged since line <paramref name="start"/> (at most the last <paramref name="max"/>).</summary>
    public string DescribeLinesSince(int start, int max = 200)
    {
        lock (_lock)
        {
            var since = _lines.Skip(start).ToList();
            var shown = since.Skip(Math.Max(0, since.Count - max)).ToList();
            return Describe(shown, since.Count > max ? $"last {max} of {since.Count} lines during the test" : $"{since.Count} lines during the test");
        }
    }

    /// <summary>Sends SIGTERM for a clean shutdown, then kills the whole process tree if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                if (OperatingSystem.IsWindows() || SendSignal(_process.Id, SigTerm) != 0)
                {
                    _process.Kill(entireProcessTree: true);
                }

                using var wait = new CancellationTokenSource(GracefulStopTimeout);
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    Append($"# did not stop within {GracefulStopTimeout.TotalSeconds:0} s of SIGTERM; killing its process tree", stderr: false);
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process is already gone.
        }
        finally
        {
            _process.Dispose();
            lock (_lock)
            {
                _log.Dispose();
            }
        }
    }

    /// <summary>Last resort when the test host exits without disposing fixtures: never leave servers behind.</summary>
    public void KillNow()
    {
        try
        {
            if (!_disposed && !_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void Append(string? line, bool stderr)
    {
        if (line is null)
        {
            return;
        }

        var text = stderr ? "[stderr] " + line : line;
        lock (_lock)
        {
            _lines.Add(text);
            try
            {
                _log.WriteLine(text);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a process that is being stopped.
            }
        }
    }

    private string Describe(IReadOnlyList<string> lines, string what) =>
        $"--- {Name} log {LogPath} ({what}) ---\n{string.Join('\n', lines)}\n--- end of {Name} log ---";

    private static bool IsInheritedAppSetting(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
        || key.Contains("__", StringComparison.Ordinal);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
