using Portal.Core.Registry;

namespace Portal.Core.Findings;

/// <summary>How bad a finding is, in the order scanners agree on; comparisons follow the order.</summary>
public enum Severity
{
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>What a finding is about. Secrets and misconfigurations are kept as their own kinds, never dropped.</summary>
public enum FindingKind
{
    Vulnerability,
    Secret,
    Misconfiguration,
    Malware,
}

/// <summary>The report formats the portal reads.</summary>
public enum ReportFormat
{
    /// <summary>Trivy JSON, SchemaVersion 2 (<c>trivy image --format json</c>).</summary>
    Trivy,

    /// <summary>Trivy Operator VulnerabilityReport (aquasecurity.github.io/v1alpha1), YAML or JSON, one or a list.</summary>
    TrivyOperator,

    /// <summary>JFrog Xray webhook payload (schema 1.1).</summary>
    XrayWebhook,

    /// <summary>JFrog Xray violations API response.</summary>
    XrayViolations,

    /// <summary>JFrog Xray artifact summary API response.</summary>
    XraySummary,

    /// <summary>Harbor pluggable scanner adapter vulnerability report 1.1.</summary>
    Harbor,

    /// <summary>
    /// The portal's own malware scan of an image's layers. Made inside the portal only: never read from a request body,
    /// so no caller can clear (or invent) malware findings by posting a report.
    /// </summary>
    MalwareScan,
}

/// <summary>
/// Which image a report (or part of one) is about, as precisely as the scanner said: a manifest digest, an image
/// reference, or an Artifactory path (Xray). Ingestion matches it to inventory images, digest first.
/// </summary>
public sealed record ScannedArtifact(string? Digest, ImageReference? Reference, ArtifactoryImagePath? ArtifactoryPath, string Name);

/// <summary>One finding as a scanner reported it, normalized.</summary>
public sealed record ReportedFinding(
    FindingKind Kind,
    string VulnerabilityId,
    string? Package,
    string? InstalledVersion,
    string? FixedVersion,
    Severity Severity,
    double? CvssScore,
    string? CvssVector,
    string? Status,
    string? Title,
    string? Target,
    string? PrimaryUrl);

/// <summary>The findings a report gives for one artifact. No findings means scanned and nothing found.</summary>
public sealed record ArtifactFindings(ScannedArtifact Artifact, IReadOnlyList<ReportedFinding> Findings);

/// <summary>A parsed scan report: its format, the scanner that wrote it, when, and the findings per artifact.</summary>
public sealed record ScanReport(ReportFormat Format, string Scanner, DateTimeOffset? ScannedAt, IReadOnlyList<ArtifactFindings> Artifacts);

/// <summary>A report that cannot be read; the message names the problem (and the JSON path where there is one).</summary>
public sealed class ScanReportFormatException : Exception
{
    public ScanReportFormatException(string message)
        : base(message)
    {
    }

    public ScanReportFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ScanReportFormatException()
    {
    }
}
