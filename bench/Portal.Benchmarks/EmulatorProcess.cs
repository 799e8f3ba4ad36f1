using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Portal.Benchmarks;

/// <summary>
/// The Kubernetes API emulator (e2e/KubernetesEmulator, its standalone program) in a process of its own, so the objects
/// it holds never count in this process's memory. Its DLL comes into this project's output through the Portal.Tests
/// reference. It logs one line per request; those lines are counted by path, so the portal's requests can be set
/// beside the baseline's.
/// </summary>
internal sealed partial class EmulatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private Task _drain = Task.CompletedTask;
    private long _lines;

    private EmulatorProcess(Process process, string kubeconfig)
    {
        _process = process;
        Kubeconfig = kubeconfig;
    }

    public string Kubeconfig { get; }

    /// <summary>From start to listening: mostly parsing the seed files into the emulator's store.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>Starts the emulator on a free loopback port with every file under <paramref name="seed"/> loaded, and waits until it listens.</summary>
    public static async Task<EmulatorProcess> StartAsync(string seed, string kubeconfig, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "KubernetesEmulator.dll"), "--port", "0", "--seed", seed, "--kubeconfig", kubeconfig })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        var emulator = new EmulatorProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the Kubernetes API emulator."), kubeconfig);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var stderr = emulator.DrainErrorsAsync();
            while (await emulator._process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("listening on", StringComparison.Ordinal))
                {
                    emulator.StartTime = clock.Elapsed;
                    emulator._drain = Task.WhenAll(emulator.DrainRequestsAsync(), stderr);
                    return emulator;
                }
            }

            await emulator._process.WaitForExitAsync(timeout.Token);
            await stderr;
            throw new InvalidOperationException(
                $"The Kubernetes API emulator exited ({emulator._process.ExitCode}) before listening: {string.Join(Environment.NewLine, emulator._errors)}");
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Requests answered since the last <see cref="ResetRequestsAsync"/>, by method and path (query left off).</summary>
    public async Task<IReadOnlyDictionary<string, int>> RequestsAsync()
    {
        await SettleAsync();
        return new Dictionary<string, int>(_requests, StringComparer.Ordinal);
    }

    public async Task ResetRequestsAsync()
    {
        await SettleAsync();
        _requests.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        try
        {
            await _drain;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The pipes close with the process.
        }

        _process.Dispose();
    }

    // The emulator logs a request after answering it, through the console logger's queue: wait until the lines stop coming.
    private async Task SettleAsync()
    {
        for (var seen = Interlocked.Read(ref _lines); ; seen = Interlocked.Read(ref _lines))
        {
            await Task.Delay(100);
            if (Interlocked.Read(ref _lines) == seen)
            {
                return;
            }
        }
    }

    private async Task DrainRequestsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (RequestLine().Match(line) is { Success: true } match)
            {
                _requests.AddOrUpdate($"{match.Groups["method"].Value} {match.Groups["path"].Value}", 1, (_, n) => n + 1);
            }

            Interlocked.Increment(ref _lines);
        }
    }

    private async Task DrainErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            _errors.Enqueue(line);
        }
    }

    // The muxer of the runtime this process runs on (…/dotnet/shared/Microsoft.NETCore.App/10.0.x/ -> …/dotnet/dotnet).
    private static string DotnetHost()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    // 18:02:20 info: KubernetesEmulator[0] GET /api/v1/pods?limit=2 -> 200 (35.7 ms)
    [GeneratedRegex(@"KubernetesEmulator\[\d+\] (?<method>[A-Z]+) (?<path>[^?\s]+)\S* -> \d+")]
    private static partial Regex RequestLine();
}
