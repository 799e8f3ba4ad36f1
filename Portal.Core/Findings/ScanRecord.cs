namespace Portal.Core.Findings;

/// <summary>
/// One report received for one image digest: the history behind its findings (who sent what, when, and what changed).
/// </summary>
public sealed class ScanRecord
{
    public const int MaxSourceLength = 200;
    public const int MaxScannerLength = 200;

    private ScanRecord()
    {
        Digest = string.Empty;
        Source = string.Empty;
        Scanner = string.Empty;
    }

    public long Id { get; private set; }
    public string Digest { get; private set; }
    public ReportFormat Format { get; private set; }

    /// <summary>Who delivered it, e.g. "api-key ci-pipeline", "xray-webhook", "trivy-operator prod", "scan-command".</summary>
    public string Source { get; private set; }
    public string Scanner { get; private set; }
    public DateTimeOffset? ScannedAt { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public int Findings { get; private set; }

    /// <summary>Findings this digest had not had before (new since the last scan).</summary>
    public int New { get; private set; }

    /// <summary>Findings this source reported last time and no longer does.</summary>
    public int Dropped { get; private set; }
    public int Critical { get; private set; }
    public int High { get; private set; }

    public static ScanRecord Create(
        string digest, ReportFormat format, string source, string scanner, DateTimeOffset? scannedAt, DateTimeOffset receivedAt,
        IReadOnlyCollection<ReportedFinding> findings, int added, int dropped)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return new ScanRecord
        {
            Digest = digest,
            Format = format,
            Source = source.Length <= MaxSourceLength ? source : source[..MaxSourceLength],
            Scanner = scanner.Length <= MaxScannerLength ? scanner : scanner[..MaxScannerLength],
            ScannedAt = scannedAt,
            ReceivedAt = receivedAt,
            Findings = findings.Count,
            New = added,
            Dropped = dropped,
            Critical = findings.Count(f => f.Severity == Severity.Critical),
            High = findings.Count(f => f.Severity == Severity.High),
        };
    }
}
