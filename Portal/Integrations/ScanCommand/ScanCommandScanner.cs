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
public sealed class ScanCommandScanner : IVirusScanner, IFileListScanner, IDisposable
{
    private const int TailLines = 10;
    private const int MaxFileNameBytes = 200;
    private const string FallbackFileName = "content";

    private readonly ScanCommandOptions _options;
    private readonly CommandRunner _runner;
    private readonly ILogger<ScanCommandScanner> _logger;
    private readonly SemaphoreSlim _slots;

    public ScanCommandScanner(IOptions<ScanCommandOptions> options, TimeProvider time, ILogger<ScanCommandScanner> logger)
    {
        _options = options.Value;
        _runner = new CommandRunner(time, logger);
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

    public bool CanScanFileLists => _options.FileListArguments.Count > 0;

    /// <summary>
    /// One run of the command over a file naming every file, with <see cref="ScanCommandOptions.FileListArguments"/>.
    /// Exit 0: all clean. Exit 1: files on a "PATH: SIGNATURE FOUND" line are infected, files on a "PATH: OK" line clean,
    /// and any other file (no line for it) an error. Anything else: only "FOUND" and "OK" lines count; the rest are errors.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ScanVerdict>> ScanFileListAsync(IReadOnlyList<FileToScan> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!CanScanFileLists)
        {
            throw new InvalidOperationException($"{ScanCommandOptions.SectionName}:FileListArguments is not configured.");
        }

        var verdicts = new Dictionary<string, ScanVerdict>(StringComparer.Ordinal);
        if (files.Count == 0)
        {
            return verdicts;
        }

        await _slots.WaitAsync(cancellationToken);
        var directory = Path.Combine(
            Path.GetFullPath(string.IsNullOrWhiteSpace(_options.TempDirectory) ? Path.GetTempPath() : _options.TempDirectory),
            $"portal-scan-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            var list = Path.Combine(directory, "files.txt");
            await File.WriteAllLinesAsync(list, files.Select(f => f.Path), cancellationToken);
            var arguments = CommandArguments.Expand(
                _options.FileListArguments, ScanCommandOptions.FileListPlaceholder, new Dictionary<string, string> { [ScanCommandOptions.FileListPlaceholder] = list });
            var byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            var output = new FileResultLines(byPath.Keys);
            var errors = new OutputLines(TailLines);
            var result = await _runner.RunAsync(
                new CommandInvocation(_options.Command, arguments, TimeSpan.FromSeconds(_options.TimeoutSeconds)), output, errors, cancellationToken);
            var failure = result.Outcome switch
            {
                CommandOutcome.NotStarted => $"{Name}: cannot run '{_options.Command}': {result.StartFailure!.Message}",
                CommandOutcome.TimedOut => $"{Name} did not finish scanning {files.Count} files within {_options.TimeoutSeconds} s and was killed",
                _ => null,
            };
            foreach (var file in files)
            {
                var line = output.ResultOf(file.Path);
                verdicts[file.Path] = failure is not null
                    ? ScanVerdict.Error(ScanErrorKind.ScannerUnavailable, failure)
                    : line is { } said && said.EndsWith(" FOUND", StringComparison.Ordinal)
                        ? ScanVerdict.Infected(said[..^" FOUND".Length].Trim(), file.Content, file.Length)
                        : line == "OK" || result.ExitCode == 0
                            ? ScanVerdict.Clean(file.Content, file.Length)
                            : ScanVerdict.Error(ScanErrorKind.ScanFailed,
                                $"{Name} exited with {result.ExitCode} and said {(line is null ? "nothing" : $"'{line}'")} about '{file.Path}'"
                                + (errors.Tail.Count > 0 ? ": " + string.Join(" | ", errors.Tail) : ""));
            }

            return verdicts;
        }
        finally
        {
            DeleteDirectory(directory);
            _slots.Release();
        }
    }

    private async Task<ScanVerdict> RunAsync(string file, string name, Digest digest, long length, CancellationToken cancellationToken)
    {
        var arguments = CommandArguments.Expand(
            _options.Arguments, ScanCommandOptions.PathPlaceholder, new Dictionary<string, string> { [ScanCommandOptions.PathPlaceholder] = file });
        var output = new OutputLines(TailLines, SignatureOfFoundLine);
        var errors = new OutputLines(TailLines, SignatureOfFoundLine);
        var result = await _runner.RunAsync(
            new CommandInvocation(_options.Command, arguments, TimeSpan.FromSeconds(_options.TimeoutSeconds)), output, errors, cancellationToken);
        switch (result.Outcome)
        {
            case CommandOutcome.NotStarted:
                return Failed(name, ScanErrorKind.ScannerUnavailable,
                    $"{Name}: cannot run '{_options.Command}': {result.StartFailure!.Message}", result.StartFailure);
            case CommandOutcome.TimedOut:
                return Failed(name, ScanErrorKind.ScannerUnavailable,
                    $"{Name} did not finish scanning '{name}' within {_options.TimeoutSeconds} s " +
                    $"({ScanCommandOptions.SectionName}:TimeoutSeconds) and was killed", null);
        }

        switch (result.ExitCode)
        {
            case 0:
                return ScanVerdict.Clean(digest, length);
            case 1:
                var signature = output.Picked ?? errors.Picked ?? $"reported by {Name}";
                return ScanVerdict.Infected(signature, digest, length);
            default:
                var tail = errors.Tail.Count > 0 ? errors.Tail : output.Tail;
                var detail = tail.Count > 0 ? ": " + string.Join(" | ", tail) : " and printed nothing";
                return Failed(name, ScanErrorKind.ScanFailed, $"{Name} exited with {result.ExitCode} scanning '{name}'{detail}", null);
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

    // The signature on a "... FOUND" line, as clamscan and clamdscan print them.
    private static string? SignatureOfFoundLine(string line)
    {
        if (!line.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            return null;
        }

        if (ClamAvOutput.TryParseResultLine(line, out var result) && result.Outcome == ScanOutcome.Infected)
        {
            return result.Signature;
        }

        var bare = line[..^" FOUND".Length].Trim();
        return bare.Length > 0 ? bare : null;
    }

    /// <summary>What the command said about each listed file: the text after "PATH: " on its line ("OK", "SIG FOUND", "... ERROR").</summary>
    private sealed class FileResultLines(IEnumerable<string> paths) : CommandOutput
    {
        private readonly Dictionary<string, string?> _results = paths.ToDictionary(p => p, _ => (string?)null, StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public string? ResultOf(string path)
        {
            lock (_lock)
            {
                return _results.GetValueOrDefault(path);
            }
        }

        internal override async Task ReadAsync(Stream stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                // "PATH: RESULT"; a path may itself contain ": ", so the longest listed path that prefixes the line wins.
                var separator = line.LastIndexOf(": ", StringComparison.Ordinal);
                while (separator > 0)
                {
                    var path = line[..separator];
                    lock (_lock)
                    {
                        if (_results.ContainsKey(path))
                        {
                            // A FOUND line stays, whatever else is said about the file.
                            if (_results[path]?.EndsWith(" FOUND", StringComparison.Ordinal) != true)
                            {
                                _results[path] = line[(separator + 2)..].Trim();
                            }

                            break;
                        }
                    }

                    separator = line.LastIndexOf(": ", separator - 1, StringComparison.Ordinal);
                }
            }
        }
    }
}
