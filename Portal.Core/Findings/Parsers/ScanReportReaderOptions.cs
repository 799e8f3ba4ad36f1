using System.ComponentModel.DataAnnotations;
using Portal.Core.Registry;

namespace Portal.Core.Findings.Parsers;

/// <summary>Limits and site settings for reading scan reports (configuration section <c>ScanReports</c>).</summary>
public sealed class ScanReportReaderOptions
{
    public const string SectionName = "ScanReports";

    /// <summary>50 MiB: several times the largest real Trivy report seen, small enough to hold in memory.</summary>
    public const int DefaultMaxBodyBytes = 50 * 1024 * 1024;

    /// <summary>
    /// The largest report body accepted, in bytes. Bodies are read whole (the formats are single JSON or YAML
    /// documents), so this bounds the memory one upload or webhook can take.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// The Artifactory server id Xray puts in front of storage paths ("default" unless an installation renamed it),
    /// so that "default/docker-local/app/v1/" is read as repository key "docker-local".
    /// </summary>
    [Required]
    public string ArtifactoryServerId { get; set; } = ArtifactoryImagePath.DefaultServerId;
}
