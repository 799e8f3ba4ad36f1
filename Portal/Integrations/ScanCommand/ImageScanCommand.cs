using System.Globalization;
using Microsoft.Extensions.Options;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;

namespace Portal.Integrations.ScanCommand;

/// <summary>A registry's user name and secret, in clear, for one run.</summary>
public sealed record RegistryCredentials(string? Username, string? Secret);

/// <summary>One image to scan, as the inventory knows it.</summary>
/// <param name="Registry">The registry as references name it (<c>ImageRegistry.ReferenceHostOf</c>).</param>
/// <param name="Repository">The repository path within the registry.</param>
/// <param name="Digest">The manifest digest (of an index, for a multi-platform image).</param>
/// <param name="AllowInsecure">The registry is on this machine and allowed plain http or unchecked TLS.</param>
/// <param name="Credentials">The registry's credentials, when it has any and the command takes them.</param>
public sealed record ImageScanTarget(string Registry, string Repository, string Digest, bool AllowInsecure, RegistryCredentials? Credentials)
{
    /// <summary>The image by digest, so the scan is of exactly this manifest whatever its tags do meanwhile.</summary>
    public string Reference => $"{Registry}/{Repository}@{Digest}";

    // Keeps the secret out of logs and exception messages that print the record.
    public override string ToString() => Reference;
}

/// <summary>A report the command printed and the parser read, or why there is none.</summary>
public sealed record ImageScanOutcome(ScanReport? Report, string? Failure)
{
    public static ImageScanOutcome Scanned(ScanReport report) => new(report, null);

    public static ImageScanOutcome Failed(string failure) => new(null, failure);
}

/// <summary>
/// Runs the configured vulnerability scan command (<see cref="VulnerabilityScanningOptions"/>) for one image and reads
/// what it prints on stdout as a scan report. Exit 0 with a readable report is a scan; another exit code (with the end
/// of its stderr), a timeout (the command and everything it started are killed), more output than a report may be
/// (ScanReports:MaxBodyBytes) or output that is no report are failures, and give no report.
/// </summary>
public sealed class ImageScanCommand
{
    private const int TailLines = 10;

    private readonly VulnerabilityScanningOptions _options;
    private readonly ScanReportReaderOptions _reports;
    private readonly CommandRunner _runner;

    public ImageScanCommand(
        IOptions<VulnerabilityScanningOptions> options, IOptions<ScanReportReaderOptions> reports, TimeProvider time, ILogger<ImageScanCommand> logger)
    {
        _options = options.Value;
        _reports = reports.Value;
        _runner = new CommandRunner(time, logger);
    }

    public bool IsEnabled => _options.IsEnabled;

    /// <summary>The scanner's name, e.g. "trivy".</summary>
    public string Name => _options.ScannerName;

    /// <summary>Whether runs take registry credentials (UsernameVariable or PasswordVariable is set).</summary>
    public bool TakesCredentials =>
        !string.IsNullOrEmpty(_options.UsernameVariable) || !string.IsNullOrEmpty(_options.PasswordVariable);

    /// <summary>What is started for <paramref name="target"/>: the command, its arguments and its extra environment.</summary>
    public CommandInvocation InvocationFor(ImageScanTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [VulnerabilityScanningOptions.ImagePlaceholder] = target.Reference,
            [VulnerabilityScanningOptions.DigestPlaceholder] = target.Digest,
            [VulnerabilityScanningOptions.RepositoryPlaceholder] = target.Repository,
            [VulnerabilityScanningOptions.RegistryPlaceholder] = target.Registry,
        };
        var arguments = CommandArguments.Expand(
            _options.Arguments, VulnerabilityScanningOptions.ImagePlaceholder, values, target.AllowInsecure ? _options.InsecureArguments : null);

        var environment = new Dictionary<string, string>(_options.Environment, StringComparer.Ordinal);
        if (target.Credentials is { } credentials)
        {
            if (!string.IsNullOrEmpty(_options.UsernameVariable) && credentials.Username is { } username)
            {
                environment[_options.UsernameVariable] = username;
            }

            if (!string.IsNullOrEmpty(_options.PasswordVariable) && credentials.Secret is { } secret)
            {
                environment[_options.PasswordVariable] = secret;
            }
        }

        return new CommandInvocation(_options.Command.Trim(), arguments, TimeSpan.FromSeconds(_options.TimeoutSeconds)) { Environment = environment };
    }

    public async Task<ImageScanOutcome> ScanAsync(ImageScanTarget target, CancellationToken cancellationToken)
    {
        var output = new OutputBytes(_reports.MaxBodyBytes);
        var errors = new OutputLines(TailLines);
        var result = await _runner.RunAsync(InvocationFor(target), output, errors, cancellationToken);
        switch (result.Outcome)
        {
            case CommandOutcome.NotStarted:
                return ImageScanOutcome.Failed($"cannot run '{_options.Command}': {result.StartFailure!.Message}");
            case CommandOutcome.TimedOut:
                return ImageScanOutcome.Failed(
                    $"{Name} did not finish within {_options.TimeoutSeconds} s ({VulnerabilityScanningOptions.SectionName}:TimeoutSeconds) and was killed");
        }

        if (result.ExitCode != 0)
        {
            var tail = errors.Tail;
            var detail = tail.Count > 0 ? ": " + string.Join(" | ", tail) : " and printed nothing on stderr";
            return ImageScanOutcome.Failed($"{Name} exited with {result.ExitCode}{detail}");
        }

        if (output.Exceeded)
        {
            return ImageScanOutcome.Failed(
                string.Create(CultureInfo.InvariantCulture,
                    $"{Name} printed more than the {_reports.MaxBodyBytes:N0} bytes a report may have ({ScanReportReaderOptions.SectionName}:MaxBodyBytes)"));
        }

        try
        {
            return ImageScanOutcome.Scanned(ScanReportReader.Read(output.ToArray(), _options.StatedFormat, _reports));
        }
        catch (ScanReportFormatException e)
        {
            return ImageScanOutcome.Failed($"{Name} exited with 0 but printed no readable report: {e.Message}");
        }
    }
}
