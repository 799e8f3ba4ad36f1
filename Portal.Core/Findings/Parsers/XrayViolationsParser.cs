using System.Text.Json;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Xray violations: the violations API (POST /api/v1/violations, {total_violations, violations}) and the content of a
/// Reports API violations or vulnerabilities report ({total_rows, rows}), which share the idea (an issue in a component
/// of an impacted artifact) in two shapes. One <see cref="ArtifactFindings"/> per impacted Docker image.
/// </summary>
internal static class XrayViolationsParser
{
    public const string What = "Xray violations";

    private static readonly string[] ManifestFiles = ["/manifest.json", "/list.manifest.json"];

    public static bool IsViolationsList(IReadOnlyCollection<string> members) =>
        members.Contains("violations") || members.Contains("total_violations");

    public static bool IsReportRows(IReadOnlyCollection<string> members) =>
        members.Contains("rows") || members.Contains("total_rows");

    public static ScanReport Parse(ReadOnlySpan<byte> json, IReadOnlyCollection<string> members, ScanReportReaderOptions options)
    {
        if (IsViolationsList(members))
        {
            return ParseViolations(ReportJson.Deserialize<XrayViolationsDto>(json, What), options);
        }

        if (IsReportRows(members))
        {
            return ParseRows(ReportJson.Deserialize<XrayReportRowsDto>(json, What), options);
        }

        throw new ScanReportFormatException(
            $"{What}: expected 'violations' (violations API) or 'rows' (Reports API) at $, found "
            + (members.Count == 0 ? "no members." : $"{string.Join(", ", members.Select(m => $"'{m}'"))}."));
    }

    private static ScanReport ParseViolations(XrayViolationsDto response, ScanReportReaderOptions options)
    {
        var images = new XrayImages();
        for (var v = 0; v < response.Violations.Count; v++)
        {
            var violation = response.Violations[v];
            var where = $"$.violations[{v}]";
            if (!XrayMapping.IsSecurity(violation.Type))
            {
                continue;
            }

            var severity = Severities.FromXray(violation.Severity, $"{where}.severity", What);
            var identities = XrayMapping.Identities(violation.Properties, singleCve: null, violation.IssueId, What, where);
            var packages = (violation.InfectedComponents ?? [])
                .Select(c => XrayMapping.Component(c, pkgType: null))
                .Where(p => p.Package is not null)
                .Distinct()
                .DefaultIfEmpty((null, null))
                .ToList();
            var fixedVersion = XrayMapping.FixedVersions(violation.FixVersions);
            var title = XrayMapping.Title(violation.Summary, violation.Description);

            var artifacts = violation.ImpactedArtifacts ?? [];
            for (var a = 0; a < artifacts.Count; a++)
            {
                if (Image(artifacts[a], $"{where}.impacted_artifacts[{a}]", options) is not { } image)
                {
                    continue;
                }

                foreach (var (package, installed) in packages)
                {
                    foreach (var (id, score, vector) in identities)
                    {
                        images.Add(image, new ReportedFinding(
                            FindingKind.Vulnerability, id, package, installed, fixedVersion, severity, score, vector,
                            Status: null, title, Target: null, PrimaryUrl: null));
                    }
                }
            }
        }

        return new ScanReport(ReportFormat.XrayViolations, XrayMapping.Scanner, ScannedAt: null, images.ToList());
    }

    private static ScannedArtifact? Image(JsonElement impacted, string where, ScanReportReaderOptions options)
    {
        if (impacted.ValueKind == JsonValueKind.String)
        {
            // The list response names artifacts by storage path only. An image is a tag folder ("…/app/v1/") or its
            // manifest; a file path ("npm-local/lodash-4.17.4.tgz") is some other kind of artifact.
            var path = impacted.GetString()!;
            return path.EndsWith('/') || ManifestFiles.Any(m => path.EndsWith(m, StringComparison.Ordinal))
                ? XrayMapping.Image(path, componentId: null, sha256: null, options.ArtifactoryServerId, What, where)
                : null;
        }

        var artifact = ReportJson.Deserialize<XrayImpactedArtifactDto>(impacted, What, where);
        return XrayMapping.IsDocker(artifact.PkgType)
            ? XrayMapping.Image(artifact.Path, artifact.DisplayName, artifact.Sha256, options.ArtifactoryServerId, What, where)
            : null;
    }

    private static ScanReport ParseRows(XrayReportRowsDto report, ScanReportReaderOptions options)
    {
        var images = new XrayImages();
        DateTimeOffset? scannedAt = null;
        for (var r = 0; r < report.Rows.Count; r++)
        {
            var row = report.Rows[r];
            var where = $"$.rows[{r}]";
            // Vulnerabilities reports have no type; violations reports say security, license or operational_risk.
            if (!XrayMapping.IsSecurity(row.Type) || !IsImage(row))
            {
                continue;
            }

            var image = XrayMapping.Image(row.Path, row.ImpactedArtifact, sha256: null, options.ArtifactoryServerId, What, where);
            var severity = Severities.FromXray(row.Severity, $"{where}.severity", What);
            var (package, installed) = XrayMapping.Component(row.VulnerableComponent, row.PackageType);
            var fixedVersion = XrayMapping.FixedVersions(row.FixedVersions);
            foreach (var (id, score, vector) in XrayMapping.Identities(row.Cves, singleCve: null, row.IssueId, What, where))
            {
                images.Add(image, new ReportedFinding(
                    FindingKind.Vulnerability, id, package, installed, fixedVersion, severity, score, vector,
                    Status: null, XrayMapping.Title(row.Summary, row.Description), Target: null, PrimaryUrl: null));
            }

            // Each row says when its artifact was last scanned; the report is as recent as the newest scan in it.
            if (Timestamps.Parse(row.ArtifactScanTime, $"{where}.artifact_scan_time", What) is { } scanned
                && (scannedAt is null || scanned > scannedAt))
            {
                scannedAt = scanned;
            }
        }

        return new ScanReport(ReportFormat.XrayViolations, XrayMapping.Scanner, scannedAt, images.ToList());
    }

    // "docker://app:v1" names an image; "generic://…", "npm://…" name other artifacts.
    private static bool IsImage(XrayReportRowDto row) =>
        Strings.OrNull(row.ImpactedArtifact) is { } artifact
            ? artifact.StartsWith(Registry.ArtifactoryImagePath.ComponentScheme, StringComparison.OrdinalIgnoreCase)
            : row.Path?.EndsWith('/') == true;
}
