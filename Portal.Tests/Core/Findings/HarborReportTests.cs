using System.Text.Json.Nodes;
using Portal.Core.Findings;
using YamlDotNet.RepresentationModel;
using static Portal.Tests.Core.Findings.ReportFixtures;

namespace Portal.Tests.Core.Findings;

public sealed class HarborReportTests
{
    private const string Digest = "sha256:7215e8e09ea282e517aa350fc5380c1773c117b1867316fb59076d901e252d15";

    [Fact]
    public void ReadsHarborsApiResponseForACleanImageAsScannedWithNothingFound()
    {
        // Harbor's API wraps the report in an object keyed by its MIME type; this one is Clair's, through the 1.0
        // MIME type, whose schema the 1.1 spec shares. "None" and a null list are how Harbor writes "nothing found".
        var report = ReadFile("harbor-scanner", "harbor-0-vuln.json");

        report.Format.ShouldBe(ReportFormat.Harbor);
        report.Counts().ShouldBe(Counts(1));
        report.Scanner.ShouldBe("Clair 2.x");
        report.ScannedAt.ShouldBe(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var artifact = report.Artifacts.Single();
        artifact.Findings.ShouldBeEmpty();
        // This response leaves the artifact out: the caller knows which one it asked about.
        (artifact.Artifact.Digest, artifact.Artifact.Reference, artifact.Artifact.Name).ShouldBe((null, null, string.Empty));
    }

    [Fact]
    public void ReadsTheSpecsExampleReport()
    {
        var example = ReadmeExample();

        // The README elides further items with a line of "..."; as printed it is not JSON.
        Rejects(example).ShouldStartWith("Harbor report: not valid JSON at $ (line 49, column 11)");

        var report = Read(string.Join('\n', example.Split('\n').Where(l => l.Trim() != "...")));

        report.Counts().ShouldBe(Counts(1, vulnerabilities: 1, high: 1));
        report.Scanner.ShouldBe("Trivy v0.16.0");
        report.ScannedAt!.Value.ShouldBe(new DateTimeOffset(2021, 3, 9, 11, 40, 28, 154, TimeSpan.Zero), TimeSpan.FromMilliseconds(1));
        var artifact = report.Artifacts.Single();
        // Harbor does not say which registry host it is, so there is no full reference, only the digest.
        (artifact.Artifact.Digest, artifact.Artifact.Reference, artifact.Artifact.Name).ShouldBe((Digest, null, $"library/docker@{Digest}"));
        var finding = artifact.Findings.Single();
        (finding.VulnerabilityId, finding.Package, finding.InstalledVersion, finding.FixedVersion, finding.Severity).ShouldBe(
            ("CVE-2020-1967", "libcrypto1.1", "1.1.1c-r0", "1.1.1g-r0", Severity.High));
        (finding.CvssScore, finding.CvssVector, finding.PrimaryUrl).ShouldBe(
            (7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "https://avd.aquasec.com/nvd/cve-2020-1967"));
        finding.Title.ShouldNotBeNull().ShouldStartWith("Server or client applications that call the SSL_check_chain()");
        finding.Title.Length.ShouldBeLessThanOrEqualTo(200);
    }

    [Theory]
    [InlineData("scanner-adapter-openapi-v1.1.yaml")]
    [InlineData("scanner-adapter-openapi-v1.2.yaml")]
    public void AcceptsEveryMemberTheScannerSpecDocuments(string spec)
    {
        var full = JsonNode.Parse(FullReport)!;
        var schemas = SpecSchemas(spec);

        schemas["HarborVulnerabilityReport"].ShouldBeSubsetOf(MemberNames(full));
        schemas["Artifact"].ShouldBeSubsetOf(MemberNames(full["artifact"]!));
        schemas["Scanner"].ShouldBeSubsetOf(MemberNames(full["scanner"]!));
        schemas["VulnerabilityItem"].ShouldBeSubsetOf(MemberNames(full["vulnerabilities"]![0]!));
        schemas["CVSSDetails"].ShouldBeSubsetOf(MemberNames(full["vulnerabilities"]![0]!["preferred_cvss"]!));

        Read(FullReport).Counts().ShouldBe(Counts(1, vulnerabilities: 2, medium: 1, low: 1));
    }

    [Fact]
    public void RejectsTheSpecDocumentsThemselves()
    {
        // OpenAPI descriptions, not reports: YAML is read only as Trivy Operator reports, and these have no kind.
        Rejects(Bytes("harbor-scanner", "scanner-adapter-openapi-v1.1.yaml")).ShouldContain("the document has no kind");
        Rejects(Bytes("harbor-scanner", "scanner-adapter-openapi-v1.2.yaml")).ShouldContain("the document has no kind");
    }

    [Fact]
    public void MapsHarborSeveritiesNegligibleToLowAndKeepsUnknown()
    {
        var report = Read(Report("""
            { "id": "CVE-1", "package": "a", "version": "1", "severity": "Negligible" },
            { "id": "CVE-2", "package": "a", "version": "1", "severity": "Unknown" },
            { "id": "CVE-3", "package": "a", "version": "1", "severity": "Critical" },
            { "id": "CVE-4", "package": "a", "version": "1", "severity": "Medium" }
            """));

        report.Findings().Select(f => f.Severity).ShouldBe([Severity.Low, Severity.Unknown, Severity.Critical, Severity.Medium]);
    }

    [Fact]
    public void TakesCvssV2WhenThereIsNoV3AndTrivysVendorCvssWhenThereIsNoPreferredCvss()
    {
        var report = Read(Report("""
            { "id": "CVE-1", "package": "a", "version": "1", "severity": "Low",
              "preferred_cvss": { "score_v2": 4.3, "vector_v2": "AV:N/AC:M/Au:N/C:N/I:P/A:N" } },
            { "id": "CVE-2", "package": "a", "version": "1", "severity": "Low",
              "vendor_attributes": { "CVSS": { "nvd": { "V2Score": 5, "V2Vector": "AV:N", "V3Score": 7.5, "V3Vector": "CVSS:3.1/AV:N" } } } },
            { "id": "CVE-3", "package": "a", "version": "1", "severity": "Low", "vendor_attributes": { "CVSS": "not Trivy's" } }
            """));

        report.Findings().Select(f => (f.CvssScore, f.CvssVector)).ShouldBe(
        [
            (4.3, "AV:N/AC:M/Au:N/C:N/I:P/A:N"),
            (7.5, "CVSS:3.1/AV:N"),
            (null, null),
        ]);
    }

    [Fact]
    public void ReadsAReportWrappedUnderTheVersion11MimeType()
    {
        var wrapped = new JsonObject { ["application/vnd.security.vulnerability.report; version=1.1"] = JsonNode.Parse(FullReport) };

        Read(wrapped.ToJsonString()).Counts().ShouldBe(Counts(1, vulnerabilities: 2, medium: 1, low: 1));
    }

    [Fact]
    public void RejectsARawVendorReport()
    {
        var message = Rejects("""{ "application/vnd.scanner.adapter.vuln.report.raw": "{ \"vendor_specific\": 1 }" }""");

        message.ShouldContain("raw report, which has no fixed schema");
    }

    [Fact]
    public void RejectsSeveralReportsInOneResponse()
    {
        var wrapped = new JsonObject
        {
            ["application/vnd.security.vulnerability.report; version=1.1"] = JsonNode.Parse(FullReport),
            ["application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"] = JsonNode.Parse(FullReport),
        };

        Rejects(wrapped.ToJsonString()).ShouldContain("expected one report, found 2");
    }

    [Fact]
    public void RejectsAnUnknownSeverityAndAnUnknownField()
    {
        Rejects(Report("""{ "id": "CVE-1", "severity": "Severe" }""")).ShouldContain("unknown severity 'Severe' at $.vulnerabilities[0].severity");
        Rejects(Report("""{ "id": "CVE-1", "severity": "Low", "epss": 0.2 }""")).ShouldStartWith(
            "Harbor report: unknown field 'epss' at $.vulnerabilities[0]");
    }

    [Fact]
    public void RejectsAVulnerabilityWithoutId()
    {
        Rejects(Report("""{ "package": "a", "severity": "Low" }""")).ShouldContain("missing required field 'id' at $.vulnerabilities[0]");
    }

    private static string ReadmeExample()
    {
        var lines = File.ReadAllLines(PathOf("harbor-scanner", "README.md"));
        var header = Array.FindIndex(lines, l => l.Contains("Content-Type: application/vnd.security.vulnerability.report; version=1.1;", StringComparison.Ordinal));
        var first = Array.FindIndex(lines, header, l => l.Trim() == "{");
        var end = Array.FindIndex(lines, first, l => l.Trim() == "```");
        return string.Join('\n', lines[first..end]);
    }

    private static Dictionary<string, IReadOnlyList<string>> SpecSchemas(string spec)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(PathOf("harbor-scanner", spec)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var schemas = (YamlMappingNode)((YamlMappingNode)root["components"])["schemas"];
        return schemas.Children
            .Where(s => s.Value is YamlMappingNode schema && schema.Children.ContainsKey("properties"))
            .ToDictionary(
                s => ((YamlScalarNode)s.Key).Value!,
                s => (IReadOnlyList<string>)((YamlMappingNode)((YamlMappingNode)s.Value)["properties"]).Children.Keys
                    .Select(k => ((YamlScalarNode)k).Value!).ToList());
    }

    private static IReadOnlyList<string> MemberNames(JsonNode node) => node.AsObject().Select(p => p.Key).ToList();

    private static string Report(string vulnerabilities) => $$"""
        {
          "generated_at": "2024-05-01T10:00:00Z",
          "artifact": { "repository": "library/nginx", "digest": "{{Digest}}", "tag": "1.25", "mime_type": "application/vnd.oci.image.manifest.v1+json" },
          "scanner": { "name": "Trivy", "vendor": "Aqua Security", "version": "v0.50.1" },
          "severity": "Critical",
          "vulnerabilities": [{{vulnerabilities}}]
        }
        """;

    // Every member of HarborVulnerabilityReport, VulnerabilityItem, Artifact, Scanner and CVSSDetails in the specs, plus
    // the members Harbor core and the Trivy adapter add (layer, artifact digests).
    private static readonly string FullReport = Report($$"""
        {
          "id": "CVE-2024-0001", "package": "openssl", "version": "3.0.13-r0", "fix_version": "3.0.14-r0", "severity": "Medium",
          "description": "first line\nsecond line", "links": ["https://avd.aquasec.com/nvd/cve-2024-0001"],
          "preferred_cvss": { "score_v3": 5.9, "score_v2": 4.3, "vector_v3": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", "vector_v2": "AV:N/AC:M/Au:N/C:N/I:N/A:P" },
          "cwe_ids": ["CWE-400"],
          "vendor_attributes": { "CVSS": { "nvd": { "V3Score": 5.9 } }, "anything": [1, 2] },
          "layer": { "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111", "diff_id": "sha256:2222222222222222222222222222222222222222222222222222222222222222" },
          "artifact_digests": ["{{Digest}}"]
        },
        { "id": "CVE-2024-0002", "package": "zlib", "version": "1.3-r0", "fix_version": "", "severity": "Low", "description": "", "links": [] }
        """);
}
