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
}
