using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Malware;
using Portal.Core.Registry;

namespace Portal.Integrations.ScanCommand;

/// <summary>
/// Scans by running an administrator's command on a temporary copy of the content: exit 0 clean, 1 infected (the
/// signature taken from the first "... FOUND" line of its output, as clamscan and clamdscan print them), anything
/// else an error with the exit code and the end of its error output. A run past the timeout is killed with everything
/// it started, and is an error.
/// <para>
/// The command is started directly with an argument list, never through a shell, so a file name with spaces, quotes
/// or <c>$(...)</c> is just a file name. The copy keeps the original file name (and so its extension, which some
/// scanners look at) inside a private directory that is always removed.
/// </para>
/// </summary>
public sealed class ScanCommandScanner : IVirusScanner, IDisposable
{
    private const int TailLines = 10;
    private const int MaxLineLength = 1_000;
    private const int MaxFileNameBytes = 200;
    private const string FallbackFileName = "content";

    // After the command exits (or is killed), how long its output may take to drain. A grandchild that escaped the
    // process tree could hold the pipes open for ever.
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(5);

    private readonly ScanCommandOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanCommandScanner> _logger;
    private readonly SemaphoreSlim _slots;

    public ScanCommandScanner(IOptions<ScanCommandOptions> options, TimeProvider time, ILogger<ScanCommandScanner> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        Name = string.IsNullOrWhiteSpace(_options.Name) ? Path.GetFileName(_options.Command) : _options.Name;
    }

    public string Name { get; }

    public long? MaxContentLength => null;

    public Task<ScannerInfo> DescribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ScannerInfo(Name, DefinitionsVersion: null, DefinitionsDate: null));

    public async Task<ScanVerdict> ScanAsync(Stream content, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(name);
        await _slots.WaitAsync(cancellationToken);
        var directory = Path.Combine(
            Path.GetFullPath(string.IsNullOrWhiteSpace(_options.TempDirectory) ? Path.GetTempPath() : _options.TempDirectory),
            $"portal-scan-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, SafeFileName(name));
            var (digest, length) = await CopyAsync(content, file, cancellationToken);
            return await RunAsync(file, name, digest, length, cancellationToken);
        }
        finally
        {
            DeleteDirectory(directory);
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task<ScanVerdict> RunAsync(string file, string name, Digest digest, long length, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        var placed = false;
        foreach (var argument in _options.Arguments)
        {
            placed |= argument.Contains(ScanCommandOptions.PathPlaceholder, StringComparison.Ordinal);
            start.ArgumentList.Add(argument.Replace(ScanCommandOptions.PathPlaceholder, file, StringComparison.Ordinal));
        }

        if (!placed)
        {
            start.ArgumentList.Add(file);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return Failed(name, ScanErrorKind.ScannerUnavailable, $"{Name}: cannot run '{_options.Command}': {e.Message}", e);
        }

        using (process)
        {
            // The command gets an empty stdin rather than the portal's.
            process.StandardInput.Close();
            var output = new OutputCollector();
            var errors = new OutputCollector();
            var reading = Task.WhenAll(
                output.ReadAsync(process.StandardOutput), errors.ReadAsync(process.StandardError));

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await process.WaitForExitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                await DrainAsync(reading);
                cancellationToken.ThrowIfCancellationRequested();
                return Failed(name, ScanErrorKind.ScannerUnavailable,
                    $"{Name} did not finish scanning '{name}' within {_options.TimeoutSeconds} s " +
                    $"({ScanCommandOptions.SectionName}:TimeoutSeconds) and was killed", null);
            }

            await DrainAsync(reading);
            switch (process.ExitCode)
            {
                case 0:
                    return ScanVerdict.Clean(digest, length);
                case 1:
                    var signature = output.FirstFound ?? errors.FirstFound ?? $"reported by {Name}";
                    return ScanVerdict.Infected(signature, digest, length);
                default:
                    var tail = errors.Tail.Count > 0 ? errors.Tail : output.Tail;
                    var detail = tail.Count > 0 ? ": " + string.Join(" | ", tail) : " and printed nothing";
                    return Failed(name, ScanErrorKind.ScanFailed, $"{Name} exited with {process.ExitCode} scanning '{name}'{detail}", null);
            }
        }
    }

    private static async Task<(Digest Digest, long Length)> CopyAsync(Stream content, string file, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long length = 0;
        await using (var target = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous))
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                length += read;
            }
        }

        return (Digest.Parse($"{Digest.Sha256Algorithm}:{Convert.ToHexStringLower(hash.GetHashAndReset())}"), length);
    }

    /// <summary>
    /// The last segment of <paramref name="name"/> (a layer path or a package file name) as a file name on this
    /// machine: no directories, no control characters, not too long for the file system, extension kept.
    /// </summary>
    internal static string SafeFileName(string name)
    {
        var last = name.Replace('\\', '/').Split('/').LastOrDefault(segment => segment.Length > 0) ?? "";
        var cleaned = new string(last.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (cleaned is "" or "." or "..")
        {
            return FallbackFileName;
        }

        if (Encoding.UTF8.GetByteCount(cleaned) <= MaxFileNameBytes)
        {
            return cleaned;
        }

        var extension = Path.GetExtension(cleaned);
        if (extension.Length > 20)
        {
            extension = "";
        }

        var stem = cleaned[..^extension.Length];
        while (Encoding.UTF8.GetByteCount(stem) + Encoding.UTF8.GetByteCount(extension) > MaxFileNameBytes)
        {
            stem = stem[..^1];
        }

        // Cutting may have split a surrogate pair; drop a dangling half.
        if (stem.Length > 0 && char.IsHighSurrogate(stem[^1]))
        {
            stem = stem[..^1];
        }

        return stem + extension;
    }

    private void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited between the timeout and the kill.
            _logger.LogDebug(e, "{Scanner} exited before it could be killed", Name);
        }
    }

    private async Task DrainAsync(Task reading)
    {
        try
        {
            await reading.WaitAsync(OutputDrainLimit, _time);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("{Scanner}: output still open {Seconds} s after the command ended; ignoring the rest", Name, OutputDrainLimit.TotalSeconds);
        }
    }

    private void DeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Could not remove the scan copy in {Directory}", directory);
        }
    }

    private ScanVerdict Failed(string name, ScanErrorKind kind, string reason, Exception? exception)
    {
        _logger.LogWarning(exception, "Scan of {Name} gave no verdict: {Reason}", name, reason);
        return ScanVerdict.Error(kind, reason);
    }

    /// <summary>Keeps what a verdict needs from one output stream: the first "FOUND" line and the last few lines.</summary>
    private sealed class OutputCollector
    {
        // Locked because a verdict may be read while a runaway grandchild is still writing (see OutputDrainLimit).
        private readonly Lock _lock = new();
        private readonly Queue<string> _tail = new();
        private string? _firstFound;

        public string? FirstFound
        {
            get
            {
                lock (_lock)
                {
                    return _firstFound;
                }
            }
        }

        public IReadOnlyCollection<string> Tail
        {
            get
            {
                lock (_lock)
                {
                    return [.. _tail];
                }
            }
        }

        public async Task ReadAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                line = (line.Length > MaxLineLength ? line[..MaxLineLength] : line).Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                lock (_lock)
                {
                    if (_firstFound is null && line.EndsWith(" FOUND", StringComparison.Ordinal))
                    {
                        _firstFound = SignatureOf(line);
                    }

                    _tail.Enqueue(line);
                    if (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                }
            }
        }

        private static string? SignatureOf(string line)
        {
            if (ClamAvOutput.TryParseResultLine(line, out var result) && result.Outcome == ScanOutcome.Infected)
            {
                return result.Signature;
            }

            var bare = line[..^" FOUND".Length].Trim();
            return bare.Length > 0 ? bare : null;
        }
    }
}
