using System.Text.Json.Nodes;
using Portal.Core.Findings;
using Portal.Core.Registry;
using static Portal.Tests.Core.Findings.ReportFixtures;

namespace Portal.Tests.Core.Findings;

public sealed class TrivyOperatorReportTests
{
    // Counted independently over report.vulnerabilities of each file.
    public static TheoryData<string, string> Fixtures => new()
    {
        { "vulnerability-ttl.yaml", Counts(1, vulnerabilities: 1, high: 1) },
        { "vulnerabilityreport_extended.json", Counts(1, vulnerabilities: 5, medium: 5) },
        { "vulnerabilityreport_no_vuln.json", Counts(1) },
        { "vulnerabilityreport_single_vuln.json", Counts(1, vulnerabilities: 1, critical: 1) },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadsEveryFixtureToTheCountedFindings(string file, string counts)
    {
        var report = ReadFile("trivy-operator", file);

        report.Format.ShouldBe(ReportFormat.TrivyOperator);
        report.Counts().ShouldBe(counts);
    }

    [Fact]
    public void ReadsTheYamlReportOfAReplicaSetContainer()
    {
        var report = ReadFile("trivy-operator", "vulnerability-ttl.yaml");

        report.Scanner.ShouldBe("Trivy 0.35.0");
        report.ScannedAt.ShouldBe(new DateTimeOffset(2022, 12, 8, 15, 50, 37, TimeSpan.Zero));
        var artifact = report.Artifacts.Single();
        artifact.Artifact.Reference.ShouldBe(ImageReference.Parse("k8s.gcr.io/coredns/coredns:v1.8.0"));
        artifact.Artifact.Digest.ShouldBeNull();
        artifact.Findings.ShouldBe(
        [
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2021-3121", "github.com/gogo/protobuf", "v1.3.1", "1.3.2",
                Severity.High, 8.6, null, null, "gogo/protobuf: plugin/unmarshal/unmarshal.go lacks certain index validation",
                null, "https://avd.aquasec.com/nvd/cve-2021-3121"),
        ]);
    }

    [Fact]
    public void ReadsTheDigestRegistryAndTargetOfAnExtendedReport()
    {
        var report = ReadFile("trivy-operator", "vulnerabilityreport_extended.json");

        var artifact = report.Artifacts.Single();
        const string Digest = "sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f";
        artifact.Artifact.Digest.ShouldBe(Digest);
        // index.docker.io is Docker Hub under another name.
        artifact.Artifact.Reference.ShouldBe(ImageReference.Parse($"docker.io/library/ubuntu:20.04@{Digest}"));
        artifact.Artifact.Name.ShouldBe($"index.docker.io/library/ubuntu:20.04@{Digest}");
        var gnutls = artifact.Findings[0];
        (gnutls.VulnerabilityId, gnutls.Package, gnutls.InstalledVersion, gnutls.FixedVersion, gnutls.Severity, gnutls.CvssScore, gnutls.Target)
            .ShouldBe(("CVE-2024-0553", "libgnutls30", "3.6.13-2ubuntu1.9", "3.6.13-2ubuntu1.10", Severity.Medium, 5.9, "ubuntu:20.04 (ubuntu 20.04)"));
        artifact.Findings.Count(f => f.VulnerabilityId == "CVE-2024-22365").ShouldBe(4);
    }

    [Fact]
    public void ReadsAReportWithNoVulnerabilitiesAsScannedWithNothingFound()
    {
        var artifact = ReadFile("trivy-operator", "vulnerabilityreport_no_vuln.json").Artifacts.ShouldHaveSingleItem();

        artifact.Findings.ShouldBeEmpty();
        artifact.Artifact.Reference.ShouldBe(ImageReference.Parse("nginx:alpine"));
    }

    [Fact]
    public void ReadsTheFirstDocumentationExampleAndRejectsTheSecondAsMalformedYaml()
    {
        var examples = FencedBlocks(PathOf("trivy-operator", "vulnerability-report.md"), "yaml");
        examples.Count.ShouldBe(2);

        var report = Read(examples[0]);
        report.Counts().ShouldBe(Counts(1, vulnerabilities: 2, critical: 2));
        report.Findings().Select(f => (f.VulnerabilityId, f.Package, f.InstalledVersion, f.FixedVersion, f.CvssScore, f.Title, f.Target))
            .ShouldBe(
            [
                ("CVE-2019-20367", "libbsd0", "0.9.1-2", "0.9.1-2+deb10u1", 9.1, null, "library/nginx:1.21.6"),
                ("CVE-2018-25009", "libwebp6", "0.6.1-2", null, 9.1, "libwebp: out-of-bounds read in WebPMuxCreateInternal", "library/nginx:1.16"),
            ]);

        // The extended example's vulnerabilities list is indented inconsistently in the docs (3 spaces, then 2).
        var message = Rejects(examples[1]);
        message.ShouldContain("not well formed");
        message.ShouldContain("line 49, column 5");
    }

    [Fact]
    public void ReadsAKubectlListWithOneArtifactPerReport()
    {
        var single = JsonNode.Parse(Bytes("trivy-operator", "vulnerabilityreport_single_vuln.json"))!;
        var extended = JsonNode.Parse(Bytes("trivy-operator", "vulnerabilityreport_extended.json"))!;
        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
            ["items"] = new JsonArray(single, extended),
        };

        var report = Read(list.ToJsonString());

        report.Counts().ShouldBe(Counts(2, vulnerabilities: 6, critical: 1, medium: 5));
        report.Artifacts.Select(a => a.Artifact.Name).ShouldBe(
        [
            "index.docker.io/library/nginx:alpine",
            "index.docker.io/library/ubuntu:20.04@sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f",
        ]);
        report.Scanner.ShouldBe("Trivy 0.38.2, Trivy 0.48.3");
        report.ScannedAt.ShouldBe(new DateTimeOffset(2024, 1, 23, 13, 43, 55, TimeSpan.Zero));
    }

    [Fact]
    public void ReadsATypedListWhoseItemsLeaveOutTheirKind()
    {
        var item = JsonNode.Parse(Bytes("trivy-operator", "vulnerabilityreport_single_vuln.json"))!.AsObject();
        item.Remove("apiVersion");
        item.Remove("kind");
        var list = new JsonObject
        {
            ["apiVersion"] = "aquasecurity.github.io/v1alpha1",
            ["kind"] = "VulnerabilityReportList",
            ["metadata"] = new JsonObject { ["continue"] = "", ["resourceVersion"] = "42" },
            ["items"] = new JsonArray(item),
        };

        Read(list.ToJsonString()).Counts().ShouldBe(Counts(1, vulnerabilities: 1, critical: 1));
    }

    [Fact]
    public void ReadsAnEmptyListAsNoArtifacts()
    {
        var report = Read("""{ "apiVersion": "v1", "kind": "List", "metadata": { "resourceVersion": "" }, "items": [] }""");

        report.Artifacts.ShouldBeEmpty();
    }

    [Fact]
    public void ReadsClusterVulnerabilityReportsAndMultiDocumentYaml()
    {
        var yaml = File.ReadAllText(PathOf("trivy-operator", "vulnerability-ttl.yaml"));
        var cluster = yaml.Replace("kind: VulnerabilityReport", "kind: ClusterVulnerabilityReport", StringComparison.Ordinal);

        var report = Read(yaml + "\n" + cluster + "\n---\n");

        report.Counts().ShouldBe(Counts(2, vulnerabilities: 2, high: 2));
    }

    [Fact]
    public void RejectsAListItemOfAnotherKindNamingIt()
    {
        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new JsonArray(
                JsonNode.Parse(Bytes("trivy-operator", "vulnerabilityreport_single_vuln.json")),
                new JsonObject { ["apiVersion"] = "aquasecurity.github.io/v1alpha1", ["kind"] = "ConfigAuditReport", ["report"] = new JsonObject() }),
        };

        var message = Rejects(list.ToJsonString());

        message.ShouldBe("Trivy Operator report: $.items[1] is a ConfigAuditReport (aquasecurity.github.io/v1alpha1), not a VulnerabilityReport.");
    }

    [Fact]
    public void RejectsYamlThatIsNotAVulnerabilityReport()
    {
        var message = Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
                - name: web
                  image: nginx
            """);

        message.ShouldContain("YAML");
        message.ShouldContain("is a Pod (v1)");
    }

    [Fact]
    public void RejectsYamlAliases()
    {
        var message = Rejects("""
            apiVersion: aquasecurity.github.io/v1alpha1
            kind: VulnerabilityReport
            report:
              artifact: &a
                repository: library/nginx
              registry: *a
            """);

        message.ShouldContain("aliases are not accepted");
    }

    [Fact]
    public void RejectsAnUnknownFieldNamingItAndItsPath()
    {
        var report = JsonNode.Parse(Bytes("trivy-operator", "vulnerabilityreport_extended.json"))!;
        report["report"]!["vulnerabilities"]![2]!["exploitability"] = "high";

        var message = Rejects(report.ToJsonString());

        message.ShouldStartWith("Trivy Operator report: unknown field 'exploitability' at $.report.vulnerabilities[2]");
    }

    [Fact]
    public void RejectsAnUnknownFieldInYamlByPath()
    {
        var yaml = File.ReadAllText(PathOf("trivy-operator", "vulnerability-ttl.yaml"))
            .Replace("      vulnerabilityID: CVE-2021-3121", "      vulnerabilityID: CVE-2021-3121\n      epss: 0.5", StringComparison.Ordinal);

        var message = Rejects(yaml);

        message.ShouldStartWith("Trivy Operator report: unknown field 'epss' at $.report.vulnerabilities[0]");
        message.ShouldNotContain("line");
    }

    [Fact]
    public void RejectsAReportWithoutItsReportMember()
    {
        var message = Rejects("""{ "apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport", "metadata": { "name": "x" } }""");

        message.ShouldContain("missing required field 'report' at $");
    }

    [Fact]
    public void RejectsTruncatedJson()
    {
        var body = Bytes("trivy-operator", "vulnerabilityreport_extended.json");

        var message = Rejects(body[..(body.Length / 2)]);

        message.ShouldStartWith("Trivy Operator report: the JSON ends too early (truncated?)");
    }
}
