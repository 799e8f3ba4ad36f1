namespace Portal.Core.Findings.Parsers;

/// <summary>
/// The payload an Xray policy rule posts to a webhook: issues, each with the artifacts it impacts and the files
/// (packages) in them that carry it. One <see cref="ArtifactFindings"/> per impacted Docker image.
/// </summary>
internal static class XrayWebhookParser
{
    public const string What = "Xray webhook";

    // Payloads before 1.1 have no schema_version; their members are a subset of 1.1's.
    private static readonly string[] SchemaVersions = ["1.0", "1.1"];

    public static ScanReport Parse(ReadOnlySpan<byte> json, ScanReportReaderOptions options)
    {
        var payload = ReportJson.Deserialize<XrayWebhookDto>(json, What);
        if (payload.SchemaVersion is { } version && !SchemaVersions.Contains(version))
        {
            throw new ScanReportFormatException(
                $"{What}: schema_version '{version}' at $.schema_version is not supported (expected 1.1).");
        }

        var images = new XrayImages();
        for (var i = 0; i < payload.Issues.Count; i++)
        {
            var issue = payload.Issues[i];
            var where = $"$.issues[{i}]";
            if (!XrayMapping.IsSecurity(issue.Type))
            {
                continue;
            }

            var severity = Severities.FromXray(issue.Severity, $"{where}.severity", What);
            var identities = XrayMapping.Identities(
                issue.Cves, issue.Cve, issue.VulnerabilityId ?? issue.IssueId, What, where);
            var artifacts = issue.ImpactedArtifacts ?? [];
            for (var a = 0; a < artifacts.Count; a++)
            {
                var impacted = artifacts[a];
                // Watches can cover Maven, npm and other repositories too; only images are the portal's business.
                if (!XrayMapping.IsDocker(impacted.PkgType))
                {
                    continue;
                }

                var artifactWhere = $"{where}.impacted_artifacts[{a}]";
                var image = XrayMapping.Image(
                    impacted.Path, impacted.DisplayName, impacted.Sha256, options.ArtifactoryServerId, What, artifactWhere);
                var files = (impacted.InfectedFiles ?? []).Concat(impacted.InfectedFile is null ? [] : [impacted.InfectedFile]);
                var packages = files
                    .Select(f => XrayMapping.Component(Strings.OrNull(f.DisplayName) ?? f.Name, f.PkgType))
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

        return new ScanReport(
            ReportFormat.XrayWebhook, XrayMapping.Scanner, Timestamps.Parse(payload.Created, "$.created", What), images.ToList());
    }
}
