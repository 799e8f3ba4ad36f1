using System.Text.Json;
using Portal.Core.Registry;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Harbor scanner-adapter vulnerability reports: the adapter's own response body, or Harbor's API response
/// (<c>/artifacts/{ref}/additions/vulnerabilities</c>), which wraps the same report in an object keyed by its MIME type.
/// </summary>
internal static class HarborReportParser
{
    public const string What = "Harbor report";

    public const string ReportMimeType11 = "application/vnd.security.vulnerability.report; version=1.1";

    // Same HarborVulnerabilityReport schema under its older name (the 1.1 spec serves both from one schema).
    public const string ReportMimeType10 = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";

    private const string RawMimeType = "application/vnd.scanner.adapter.vuln.report.raw";

    private const int MaxTitleLength = 200;

    /// <summary>True when every top-level member is named by a MIME type, as in Harbor's API response.</summary>
    public static bool IsMimeKeyed(IReadOnlyCollection<string> members) =>
        members.Count > 0 && members.All(m => m.StartsWith("application/", StringComparison.OrdinalIgnoreCase));

    public static ScanReport Parse(ReadOnlySpan<byte> json)
    {
        using var document = ReportJson.ParseDocument(json, What);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            // Let the DTO say what it expected and what it found.
            return Map(ReportJson.Deserialize<HarborReportDto>(json, What), "$");
        }

        var members = root.EnumerateObject().Select(p => p.Name).ToList();
        if (!IsMimeKeyed(members))
        {
            return Map(ReportJson.Deserialize<HarborReportDto>(json, What), "$");
        }

        if (members.Count != 1)
        {
            throw new ScanReportFormatException(
                $"{What}: expected one report, found {members.Count} keyed by MIME type ({string.Join(", ", members)}).");
        }

        var mimeType = members[0];
        var path = $"$['{mimeType}']";
        return Normalize(mimeType) switch
        {
            var t when t == Normalize(ReportMimeType11) || t == Normalize(ReportMimeType10) =>
                Map(ReportJson.Deserialize<HarborReportDto>(root.GetProperty(mimeType), What, path), path),
            var t when t == Normalize(RawMimeType) => throw new ScanReportFormatException(
                $"{What}: {path} is a scanner's raw report, which has no fixed schema; ask for '{ReportMimeType11}'."),
            _ => throw new ScanReportFormatException(
                $"{What}: report type '{mimeType}' is not a Harbor vulnerability report; expected '{ReportMimeType11}'."),
        };
    }

    private static string Normalize(string mimeType) =>
        mimeType.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    private static ScanReport Map(HarborReportDto report, string path)
    {
        // The overall severity is derived from the items; read it only to reject values outside Harbor's scale.
        Severities.FromHarbor(report.Severity, $"{path}.severity", What);

        var findings = new List<ReportedFinding>();
        var vulnerabilities = report.Vulnerabilities ?? [];
        for (var v = 0; v < vulnerabilities.Count; v++)
        {
            var vulnerability = vulnerabilities[v];
            var itemPath = $"{path}.vulnerabilities[{v}]";
            var (score, vector) = Cvss(vulnerability);
            var links = vulnerability.Links ?? vulnerability.LegacyLinks ?? [];
            findings.Add(new ReportedFinding(
                FindingKind.Vulnerability,
                Strings.OrNull(vulnerability.Id) ?? throw new ScanReportFormatException($"{What}: {itemPath}.id is empty."),
                Strings.OrNull(vulnerability.Package),
                Strings.OrNull(vulnerability.Version),
                Strings.OrNull(vulnerability.FixVersion),
                Severities.FromHarbor(vulnerability.Severity, $"{itemPath}.severity", What),
                score,
                vector,
                Status: null,
                Title(vulnerability.Description),
                Target: null,
                links.Select(Strings.OrNull).FirstOrDefault(l => l is not null)));
        }

        var scanner = string.Join(' ', new[] { report.Scanner?.Name, report.Scanner?.Version }.Where(s => !string.IsNullOrEmpty(s)));
        return new ScanReport(
            ReportFormat.Harbor,
            scanner.Length > 0 ? scanner : "Harbor scanner",
            Timestamps.Parse(report.GeneratedAt, $"{path}.generated_at", What),
            [new ArtifactFindings(Artifact(report.Artifact, path), findings)]);
    }

    private static ScannedArtifact Artifact(HarborArtifactDto? artifact, string path)
    {
        string? digest = null;
        if (Strings.OrNull(artifact?.Digest) is { } text)
        {
            digest = Digest.TryParse(text, out var parsed, out var error)
                ? parsed.ToString()
                : throw new ScanReportFormatException($"{What}: {path}.artifact.digest: {error}");
        }

        // Harbor names the repository within its own registry ("library/nginx") but not the registry's host, so there is
        // no full reference: the digest is what ties the report to an image. Harbor's API response may leave the
        // artifact out altogether; the caller then knows which artifact it asked about.
        var name = (Strings.OrNull(artifact?.Repository) ?? string.Empty)
            + (Strings.OrNull(artifact?.Tag) is { } tag ? ":" + tag : string.Empty)
            + (digest is null ? string.Empty : "@" + digest);
        return new ScannedArtifact(digest, Reference: null, ArtifactoryPath: null, name);
    }

    private static (double? Score, string? Vector) Cvss(HarborVulnerabilityDto vulnerability)
    {
        if (vulnerability.PreferredCvss is { } preferred)
        {
            if (preferred.ScoreV3 is not null || !string.IsNullOrEmpty(preferred.VectorV3))
            {
                return (preferred.ScoreV3, Strings.OrNull(preferred.VectorV3));
            }

            if (preferred.ScoreV2 is not null || !string.IsNullOrEmpty(preferred.VectorV2))
            {
                return (preferred.ScoreV2, Strings.OrNull(preferred.VectorV2));
            }
        }

        // The Trivy adapter also copies Trivy's per-vendor CVSS map into vendor_attributes. That member is free-form
        // by the spec, so use it when it has Trivy's shape and ignore it otherwise.
        if (vulnerability.VendorAttributes?.TryGetValue("CVSS", out var vendorCvss) == true
            && vendorCvss.ValueKind == JsonValueKind.Object)
        {
            try
            {
                return TrivyCvss.Choose(vendorCvss.Deserialize<Dictionary<string, TrivyCvssDto>>(ReportJson.Options), severitySource: null);
            }
            catch (JsonException)
            {
                return (null, null);
            }
        }

        return (null, null);
    }

    // Harbor items have no title; the first line of the description stands in for one.
    private static string? Title(string? description)
    {
        if (Strings.OrNull(description) is not { } text)
        {
            return null;
        }

        var line = text.Trim().Split('\n', 2)[0].Trim();
        return line.Length <= MaxTitleLength ? line : string.Concat(line.AsSpan(0, MaxTitleLength - 1), "…");
    }
}
