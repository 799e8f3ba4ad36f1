using Portal.Core.Registry;

namespace Portal.Core.Findings.Parsers;

/// <summary>Trivy JSON, SchemaVersion 2: one artifact per report, findings from every result.</summary>
internal static class TrivyReportParser
{
    public const string What = "Trivy report";

    private const int SupportedSchemaVersion = 2;

    // Local archives scanned with `trivy image --input` are named by their file path, which can look like a
    // repository name ("images/alpine-310.tar.gz"); those must not become image references.
    private static readonly string[] ArchiveSuffixes = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".oci"];

    public static ScanReport Parse(ReadOnlySpan<byte> json)
    {
        var report = ReportJson.Deserialize<TrivyReportDto>(json, What);
        switch (report.SchemaVersion)
        {
            case null:
                throw new ScanReportFormatException(
                    $"{What}: SchemaVersion is missing at $. Only SchemaVersion {SupportedSchemaVersion} "
                    + "(Trivy 0.20 and later, `--format json`) is read.");
            case not SupportedSchemaVersion:
                throw new ScanReportFormatException(
                    $"{What}: SchemaVersion {report.SchemaVersion} at $.SchemaVersion is not supported; only "
                    + $"SchemaVersion {SupportedSchemaVersion} is read.");
        }

        var findings = new List<ReportedFinding>();
        var results = report.Results ?? [];
        for (var r = 0; r < results.Count; r++)
        {
            var result = results[r];
            var path = $"$.Results[{r}]";
            AddVulnerabilities(result, path, findings);
            AddSecrets(result, path, findings);
            AddMisconfigurations(result, path, findings);

            // Licenses and custom resources are not security findings. ExperimentalModifiedFindings are findings
            // Trivy itself was told to suppress (.trivyignore, VEX); the portal's own exceptions do that job.
        }

        var scanner = string.IsNullOrEmpty(report.Trivy?.Version) ? "Trivy" : $"Trivy {report.Trivy.Version}";
        return new ScanReport(ReportFormat.Trivy, scanner, report.CreatedAt, [new ArtifactFindings(Artifact(report), findings)]);
    }

    private static void AddVulnerabilities(TrivyResultDto result, string path, List<ReportedFinding> findings)
    {
        // OS packages (Class os-pkgs) and language packages (lang-pkgs) are the same kind of finding; the result's
        // Target ("image (debian 12.5)", "app/package-lock.json") says where the package was found.
        var vulnerabilities = result.Vulnerabilities ?? [];
        for (var v = 0; v < vulnerabilities.Count; v++)
        {
            var vulnerability = vulnerabilities[v];
            var (score, vector) = TrivyCvss.Choose(vulnerability.CVSS, vulnerability.SeveritySource);
            findings.Add(new ReportedFinding(
                FindingKind.Vulnerability,
                Required(vulnerability.VulnerabilityID, $"{path}.Vulnerabilities[{v}].VulnerabilityID"),
                Strings.OrNull(vulnerability.PkgName),
                Strings.OrNull(vulnerability.InstalledVersion),
                Strings.OrNull(vulnerability.FixedVersion),
                Severities.FromTrivy(vulnerability.Severity, $"{path}.Vulnerabilities[{v}].Severity", What),
                score,
                vector,
                Strings.OrNull(vulnerability.Status),
                Strings.OrNull(vulnerability.Title),
                result.Target,
                Strings.OrNull(vulnerability.PrimaryURL)));
        }
    }

    private static void AddSecrets(TrivyResultDto result, string path, List<ReportedFinding> findings)
    {
        var secrets = result.Secrets ?? [];
        for (var s = 0; s < secrets.Count; s++)
        {
            var secret = secrets[s];
            findings.Add(new ReportedFinding(
                FindingKind.Secret,
                Required(secret.RuleID, $"{path}.Secrets[{s}].RuleID"),
                Package: null,
                InstalledVersion: null,
                FixedVersion: null,
                Severities.FromTrivy(secret.Severity, $"{path}.Secrets[{s}].Severity", What),
                CvssScore: null,
                CvssVector: null,
                Status: null,
                Strings.OrNull(secret.Title),
                result.Target,
                PrimaryUrl: null));
        }
    }

    private static void AddMisconfigurations(TrivyResultDto result, string path, List<ReportedFinding> findings)
    {
        var misconfigurations = result.Misconfigurations ?? [];
        for (var m = 0; m < misconfigurations.Count; m++)
        {
            var misconfiguration = misconfigurations[m];
            // Trivy lists every check it ran (PASS, FAIL, EXCEPTION) when asked to; only a failed check is a finding.
            if (misconfiguration.Status != "FAIL")
            {
                continue;
            }

            var id = Strings.OrNull(misconfiguration.ID) ?? Strings.OrNull(misconfiguration.AVDID)
                ?? throw new ScanReportFormatException($"{What}: {path}.Misconfigurations[{m}] has neither ID nor AVDID.");
            findings.Add(new ReportedFinding(
                FindingKind.Misconfiguration,
                id,
                Package: null,
                InstalledVersion: null,
                FixedVersion: null,
                Severities.FromTrivy(misconfiguration.Severity, $"{path}.Misconfigurations[{m}].Severity", What),
                CvssScore: null,
                CvssVector: null,
                misconfiguration.Status,
                Strings.OrNull(misconfiguration.Title),
                result.Target,
                Strings.OrNull(misconfiguration.PrimaryURL)));
        }
    }

    private static ScannedArtifact Artifact(TrivyReportDto report)
    {
        var reference = Reference(report);
        var digest = RepoDigest(report.Metadata?.RepoDigests) ?? reference?.Digest?.ToString();
        var name = Strings.OrNull(report.ArtifactName) ?? reference?.ToString() ?? string.Empty;
        return new ScannedArtifact(digest, reference, ArtifactoryPath: null, name);
    }

    private static ImageReference? Reference(TrivyReportDto report)
    {
        var candidates = new List<string?>();
        if (report.ArtifactType is null or "container_image" && report.ArtifactName is { } artifactName
            && !ArchiveSuffixes.Any(s => artifactName.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            candidates.Add(artifactName);
        }

        candidates.Add(report.Metadata?.Reference);
        candidates.AddRange(report.Metadata?.RepoTags ?? []);
        foreach (var candidate in candidates)
        {
            if (ImageReference.TryParse(candidate, out var reference, out _))
            {
                return reference;
            }
        }

        return null;
    }

    // RepoDigests hold "name@sha256:..." for each registry the image was pulled from; any of them names the manifest.
    private static string? RepoDigest(IReadOnlyList<string>? repoDigests)
    {
        if (repoDigests is null)
        {
            return null;
        }

        for (var i = 0; i < repoDigests.Count; i++)
        {
            var entry = repoDigests[i];
            if (string.IsNullOrEmpty(entry))
            {
                // Trivy writes [""] for images it read without registry metadata.
                continue;
            }

            var at = entry.LastIndexOf('@');
            if (at < 0)
            {
                throw new ScanReportFormatException($"{What}: $.Metadata.RepoDigests[{i}] '{entry}' is not name@digest.");
            }

            return Digest.TryParse(entry[(at + 1)..], out var digest, out var error)
                ? digest.ToString()
                : throw new ScanReportFormatException($"{What}: $.Metadata.RepoDigests[{i}] '{entry}': {error}");
        }

        return null;
    }

    private static string Required(string value, string path) =>
        value.Length > 0 ? value : throw new ScanReportFormatException($"{What}: {path} is empty.");
}
