using System.Text.Json;
using Portal.Core.Registry;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Trivy Operator VulnerabilityReports (one container image of one workload each), singly or as a list, in JSON or
/// YAML. Each report becomes one <see cref="ArtifactFindings"/>.
/// </summary>
internal static class TrivyOperatorReportParser
{
    public const string What = "Trivy Operator report";
    public const string ApiVersion = "aquasecurity.github.io/v1alpha1";

    private static readonly string[] ReportKinds = ["VulnerabilityReport", "ClusterVulnerabilityReport"];

    // "List" (apiVersion v1) is what kubectl prints for several objects; the typed lists are what the API returns.
    private static readonly string[] ListKinds = ["List", "VulnerabilityReportList", "ClusterVulnerabilityReportList"];

    public static bool IsOperatorKind(string? apiVersion, string? kind) =>
        apiVersion == ApiVersion || (kind is not null && (ReportKinds.Contains(kind) || ListKinds.Contains(kind)));

    public static ScanReport Parse(IReadOnlyList<byte[]> documents, bool fromYaml)
    {
        var reports = new List<(VulnerabilityReportDto Report, string Path)>();
        var lists = 0;
        for (var d = 0; d < documents.Count; d++)
        {
            // Multi-document YAML: say which document a problem is in.
            var prefix = documents.Count > 1 ? $"document {d + 1}: " : string.Empty;
            lists += ReadDocument(documents[d], fromYaml, prefix, reports) ? 1 : 0;
        }

        // An empty list is a valid answer ("no reports"); a body with nothing at all is not.
        if (reports.Count == 0 && lists == 0)
        {
            throw new ScanReportFormatException($"{What}: the body holds no VulnerabilityReport.");
        }

        var artifacts = new List<ArtifactFindings>();
        var scanners = new List<string>();
        DateTimeOffset? scannedAt = null;
        foreach (var (report, path) in reports)
        {
            artifacts.Add(Map(report.Report, $"{path}.report"));
            var scanner = report.Report.Scanner;
            var name = string.Join(' ', new[] { scanner?.Name, scanner?.Version }.Where(s => !string.IsNullOrEmpty(s)));
            if (name.Length > 0 && !scanners.Contains(name))
            {
                scanners.Add(name);
            }

            // A list spans several scans; the report as a whole is as recent as its newest one.
            var updated = Timestamps.Parse(report.Report.UpdateTimestamp, $"{path}.report.updateTimestamp", What);
            if (updated is not null && (scannedAt is null || updated > scannedAt))
            {
                scannedAt = updated;
            }
        }

        return new ScanReport(
            ReportFormat.TrivyOperator,
            scanners.Count > 0 ? string.Join(", ", scanners) : "Trivy Operator",
            scannedAt,
            artifacts);
    }

    /// <returns>True when the document was a list (possibly empty).</returns>
    private static bool ReadDocument(byte[] json, bool fromYaml, string prefix, List<(VulnerabilityReportDto, string)> reports)
    {
        var what = prefix.Length > 0 ? $"{What}, {prefix.TrimEnd(' ', ':')}" : What;
        using var document = ReportJson.ParseDocument(json, what, fromYaml);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null && fromYaml)
        {
            // An empty YAML document, such as after a trailing "---".
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ScanReportFormatException(
                $"{what}: $ must be an object (a VulnerabilityReport or a list of them), not {Describe(root)}.");
        }

        var (apiVersion, kind) = TypeOf(root);
        if (kind is not null && ReportKinds.Contains(kind))
        {
            CheckApiVersion(apiVersion, "$", what);
            reports.Add((ReportJson.Deserialize<VulnerabilityReportDto>(root, what, "$"), prefix + "$"));
            return false;
        }

        if (kind is not null && ListKinds.Contains(kind))
        {
            var list = ReportJson.Deserialize<VulnerabilityReportListDto>(root, what, "$");
            var items = list.Items ?? [];
            for (var i = 0; i < items.Count; i++)
            {
                var path = $"$.items[{i}]";
                var item = items[i];
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new ScanReportFormatException($"{what}: {path} must be an object, not {Describe(item)}.");
                }

                var (itemApiVersion, itemKind) = TypeOf(item);
                // Items of a typed list may leave out their own type; a kubectl List's items always carry it.
                if (itemKind is null && kind != "List")
                {
                    itemKind = ReportKinds[kind.StartsWith("Cluster", StringComparison.Ordinal) ? 1 : 0];
                    itemApiVersion ??= ApiVersion;
                }

                if (itemKind is null || !ReportKinds.Contains(itemKind))
                {
                    throw new ScanReportFormatException(
                        $"{what}: {path} is {KindName(itemApiVersion, itemKind)}, not a VulnerabilityReport.");
                }

                CheckApiVersion(itemApiVersion, path, what);
                reports.Add((ReportJson.Deserialize<VulnerabilityReportDto>(item, what, path), prefix + path));
            }

            return true;
        }

        throw new ScanReportFormatException(
            $"{what}: $ is {KindName(apiVersion, kind)}, not a Trivy Operator VulnerabilityReport ({ApiVersion}).");
    }

    private static ArtifactFindings Map(VulnerabilityReportDataDto report, string path)
    {
        var artifact = report.Artifact;
        string? digest = null;
        if (Strings.OrNull(artifact.Digest) is { } digestText)
        {
            digest = Digest.TryParse(digestText, out var parsed, out var error)
                ? parsed.ToString()
                : throw new ScanReportFormatException($"{What}: {path}.artifact.digest: {error}");
        }

        var repository = Strings.OrNull(artifact.Repository)
            ?? throw new ScanReportFormatException($"{What}: {path}.artifact.repository is missing.");
        var server = Strings.OrNull(report.Registry?.Server);
        var name = (server is null ? repository : $"{server}/{repository}")
            + (Strings.OrNull(artifact.Tag) is { } tag ? ":" + tag : string.Empty)
            + (digest is null ? string.Empty : "@" + digest);

        // Without the registry the repository would be read as Docker Hub's, which it may well not be.
        var reference = server is not null && ImageReference.TryParse(name, out var parsedReference, out _) ? parsedReference : null;

        var findings = new List<ReportedFinding>();
        var vulnerabilities = report.Vulnerabilities ?? [];
        for (var v = 0; v < vulnerabilities.Count; v++)
        {
            var vulnerability = vulnerabilities[v];
            var vulnerabilityPath = $"{path}.vulnerabilities[{v}]";
            var (score, vector) = vulnerability.Cvss is { Count: > 0 }
                ? TrivyCvss.Choose(vulnerability.Cvss, Strings.OrNull(vulnerability.CvssSource))
                : (vulnerability.Score, null);
            findings.Add(new ReportedFinding(
                FindingKind.Vulnerability,
                Strings.OrNull(vulnerability.VulnerabilityID)
                    ?? throw new ScanReportFormatException($"{What}: {vulnerabilityPath}.vulnerabilityID is empty."),
                Strings.OrNull(vulnerability.Resource),
                Strings.OrNull(vulnerability.InstalledVersion),
                Strings.OrNull(vulnerability.FixedVersion),
                Severities.FromTrivy(vulnerability.Severity, $"{vulnerabilityPath}.severity", What),
                score ?? vulnerability.Score,
                vector,
                Status: null,
                Strings.OrNull(vulnerability.Title),
                Strings.OrNull(vulnerability.Target),
                Strings.OrNull(vulnerability.PrimaryLink)));
        }

        return new ArtifactFindings(new ScannedArtifact(digest, reference, ArtifactoryPath: null, name), findings);
    }

    private static (string? ApiVersion, string? Kind) TypeOf(JsonElement element) =>
        (StringMember(element, "apiVersion"), StringMember(element, "kind"));

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void CheckApiVersion(string? apiVersion, string path, string what)
    {
        if (apiVersion != ApiVersion)
        {
            throw new ScanReportFormatException(
                $"{what}: {path}.apiVersion is '{apiVersion}', expected '{ApiVersion}'.");
        }
    }

    private static string KindName(string? apiVersion, string? kind) => kind switch
    {
        null => "an object without a kind",
        _ => $"a {kind}{(apiVersion is null ? string.Empty : $" ({apiVersion})")}",
    };

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
