using System.ComponentModel.DataAnnotations;

namespace Portal.Integrations.ScanCommand;

/// <summary>
/// An administrator's scan command, e.g. <c>clamdscan --no-summary --fdpass {path}</c> or a vendor's CLI: it is run
/// once per scanned file, without a shell. Exit 0 means clean, 1 infected, anything else (or running past
/// <see cref="TimeoutSeconds"/>) an error.
/// <para>
/// Do not give clamdscan <c>--stream</c> for content that can be larger than clamd's StreamMaxLength: it then sends
/// only the first StreamMaxLength bytes and reports the file OK (exit 0), whatever follows (seen with ClamAV 1.4: an
/// EICAR string after 1 MiB with StreamMaxLength 1M is "OK" with --stream, "FOUND" with --fdpass or without either).
/// Use <c>--fdpass</c> over clamd's Unix socket, or let clamd open the file.
/// </para>
/// </summary>
public sealed class ScanCommandOptions : IValidatableObject
{
    public const string SectionName = "ScanCommand";

    /// <summary>Replaced, in any argument, by the absolute path of the file to scan.</summary>
    public const string PathPlaceholder = "{path}";

    /// <summary>Replaced, in <see cref="FileListArguments"/>, by the path of a file naming one file to scan per line.</summary>
    public const string FileListPlaceholder = "{filelist}";

    /// <summary>The executable: an absolute path, or a name looked up on PATH.</summary>
    public string Command { get; set; } = "";

    /// <summary>
    /// The arguments, one list item per argument (so nothing is ever split or interpreted by a shell). Any argument
    /// may contain <c>{path}</c>; when none does, the path is added as the last argument.
    /// </summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>
    /// Optional: the arguments for scanning many files in one run, one of them containing <c>{filelist}</c>, e.g.
    /// <c>["--multiscan", "--fdpass", "--no-summary", "--file-list={filelist}"]</c> for clamdscan. The command must print
    /// "PATH: OK" or "PATH: SIGNATURE FOUND" per file. The gateway's Immediate sync uses it; when empty, files are
    /// scanned one run each.
    /// </summary>
    public List<string> FileListArguments { get; set; } = [];

    /// <summary>Seconds one run may take; then the command and everything it started are killed.</summary>
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>How verdicts and messages name this scanner; the command's file name when empty.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Where the content is written for the command to read (a private subdirectory per scan, removed afterwards).
    /// The system temporary directory when empty. With <c>clamdscan</c> without <c>--stream</c> or <c>--fdpass</c>,
    /// clamd itself opens the file, so clamd's user must be able to read here.
    /// </summary>
    public string? TempDirectory { get; set; }

    /// <summary>Commands running at once; more scans wait their turn.</summary>
    public int MaxConcurrency { get; set; } = Math.Max(2, Environment.ProcessorCount);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Command))
        {
            yield return new ValidationResult(
                $"{SectionName}:Command is required when MalwareScanning:Scanner is Command.", [nameof(Command)]);
        }

        if (TimeoutSeconds is < 1 or > 86_400)
        {
            yield return new ValidationResult($"{SectionName}:TimeoutSeconds must be between 1 and 86400.", [nameof(TimeoutSeconds)]);
        }

        if (MaxConcurrency is < 1 or > 1_000)
        {
            yield return new ValidationResult($"{SectionName}:MaxConcurrency must be between 1 and 1000.", [nameof(MaxConcurrency)]);
        }

        if (FileListArguments.Count > 0 && !FileListArguments.Any(a => a?.Contains(FileListPlaceholder, StringComparison.Ordinal) == true))
        {
            yield return new ValidationResult($"{SectionName}:FileListArguments must contain {FileListPlaceholder} in one argument.", [nameof(FileListArguments)]);
        }

        for (var i = 0; i < Arguments.Count; i++)
        {
            if (Arguments[i] is null || Arguments[i].Contains('\0', StringComparison.Ordinal))
            {
                yield return new ValidationResult($"{SectionName}:Arguments:{i} must be a string without NUL characters.", [nameof(Arguments)]);
            }
        }
    }
}
