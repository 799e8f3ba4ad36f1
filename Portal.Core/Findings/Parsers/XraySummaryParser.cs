namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Xray's artifact summary (POST /api/v1/summary/artifact): per artifact, its issues with the impact paths that lead
/// from the image through a layer to the vulnerable package.
/// </summary>
internal static class XraySummaryParser
{
    public const string What = "Xray artifact summary";

    public static ScanReport Parse(ReadOnlySpan<byte> json, ScanReportReaderOptions options)
    {
        var summary = ReportJson.Deserialize<XraySummaryDto>(json, What);
        var images = new XrayImages();
        for (var a = 0; a < summary.Artifacts.Count; a++)
        {
            var artifact = summary.Artifacts[a];
            var where = $"$.artifacts[{a}]";
            // An artifact Xray could not summarize (not indexed, not scanned yet) is unknown, not clean; so are the
            // top-level "errors". Reporting them with no findings would declare them safe.
            if (Strings.OrNull(artifact.Error) is not null || !XrayMapping.IsDocker(artifact.General.PkgType))
            {
                continue;
            }

            var image = XrayMapping.Image(
                artifact.General.Path, artifact.General.ComponentId, artifact.General.Sha256,
                options.ArtifactoryServerId, What, $"{where}.general");
            images.Add(image);

            var issues = artifact.Issues ?? [];
            for (var i = 0; i < issues.Count; i++)
            {
                var issue = issues[i];
                var issueWhere = $"{where}.issues[{i}]";
                if (!XrayMapping.IsSecurity(issue.IssueType))
                {
                    continue;
                }

                var severity = Severities.FromXray(issue.Severity, $"{issueWhere}.severity", What);
                var identities = XrayMapping.Identities(issue.Cves, singleCve: null, issue.IssueId, What, issueWhere);
                var packages = (issue.ImpactPath ?? [])
                    .Select(ImpactedPackage)
                    .Where(p => p.Package is not null)
                    .Distinct()
                    .DefaultIfEmpty((null, null));
                foreach (var (package, installed) in packages)
                {
                    foreach (var (id, score, vector) in identities)
                    {
                        images.Add(image, new ReportedFinding(
                            FindingKind.Vulnerability, id, package, installed, FixedVersion: null, severity, score, vector,
                            Status: null, XrayMapping.Title(issue.Summary, issue.Description), Target: null, PrimaryUrl: null));
                    }
                }
            }
        }

        return new ScanReport(ReportFormat.XraySummary, XrayMapping.Scanner, ScannedAt: null, images.ToList());
    }

    // ".../v1/sha256__<layer>.tar.gz/3.12:openssl:1.1.1k-r0": the package is the last step after a layer blob.
    private static (string? Package, string? Version) ImpactedPackage(string impactPath)
    {
        var segments = impactPath.TrimEnd('/').Split('/');
        var layer = Array.FindIndex(segments, s => s.StartsWith("sha256__", StringComparison.Ordinal));
        return layer >= 0 && layer < segments.Length - 1
            ? XrayMapping.Component(segments[^1], pkgType: null)
            : (null, null);
    }
}
