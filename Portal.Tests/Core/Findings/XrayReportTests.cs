using System.Text.Json.Nodes;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Core.Registry;
using static Portal.Tests.Core.Findings.ReportFixtures;

namespace Portal.Tests.Core.Findings;

public sealed class XrayReportTests
{
    private const string ImageSha = "1b8289cf21fffacfb70cbb844cd3d8e0610762a599c30378de9eb895329af81a";
    private const string GpuImageSha = "6a7fb558aaef69668417c081626183cb85d9f6816a7fb558aaef69668417c081";

    // The accepted fixtures, counted independently: per artifact the issues (one per CVE when an issue lists CVEs,
    // else one under the Xray issue id) times the vulnerable packages on their impact paths.
    public static TheoryData<string, ReportFormat, string> Fixtures => new()
    {
        { "api_summary_artifact/one_vuln.json", ReportFormat.XraySummary, Counts(1, vulnerabilities: 1, critical: 1) },
        { "unified/Vulnerabilities-Report-XRAY_Unified.json", ReportFormat.XrayViolations, Counts(2, vulnerabilities: 21, high: 15, medium: 6) },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadsEveryAcceptedFixtureToTheCountedFindings(string file, ReportFormat format, string counts)
    {
        var report = ReadFile(["jfrog-xray", .. file.Split('/')]);

        report.Format.ShouldBe(format);
        report.Scanner.ShouldBe("JFrog Xray");
        report.Counts().ShouldBe(counts);
    }

    [Fact]
    public void ReadsTheArtifactSummaryPackageFromTheImpactPathAndKeepsTheXrayIdWithoutACve()
    {
        var report = ReadFile("jfrog-xray", "api_summary_artifact", "one_vuln.json");

        var artifact = report.Artifacts.ShouldHaveSingleItem();
        artifact.Artifact.ArtifactoryPath.ShouldBe(new ArtifactoryImagePath(null, "artifact_path", "artifact1", "1.0"));
        artifact.Artifact.Digest.ShouldBe("sha256:eaab06c0a28618bfb65481bf31bce7d6dd3a15dac528297690111c202a1cd468");
        artifact.Artifact.Name.ShouldBe("artifact_path/artifact1/1.0/");
        artifact.Findings.ShouldBe(
        [
            new ReportedFinding(FindingKind.Vulnerability, "XRAY-124116", "openssl", "1.1.1k-r0", null, Severity.Critical,
                9.8, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null,
                "OpenSSL crypto/rc5/rc5_skey.c RC5_32_set_key() Function Key Initialization Stack Buffer Overflow", null, null),
        ]);
        report.ScannedAt.ShouldBeNull();
    }

    [Fact]
    public void ReadsReportRowsAsOneFindingPerCveOfEachImage()
    {
        // The Reports API export has the violations API's {total_rows, rows} envelope; each row names its image both
        // by storage path and by component id.
        var report = ReadFile("jfrog-xray", "unified", "Vulnerabilities-Report-XRAY_Unified.json");

        report.ScannedAt.ShouldBe(new DateTimeOffset(2020, 7, 30, 13, 46, 42, TimeSpan.Zero));
        report.Artifacts.Select(a => (a.Artifact.ArtifactoryPath, a.Findings.Count)).ShouldBe(
        [
            (new ArtifactoryImagePath(null, "docker-reg", "test-artifact", "1.0.5"), 15),
            (new ArtifactoryImagePath(null, "docker-reg", "test-artifact", "1.0.0"), 6),
        ]);
        var java = report.Artifacts[0].Findings.Single(f => f.VulnerabilityId == "CVE-2019-2949");
        java.ShouldBe(new ReportedFinding(
            FindingKind.Vulnerability, "CVE-2019-2949", "java-11-openjdk-headless", "11.0.6.10-1.el7_7", "1:11.0.5.10-0.el7_7",
            Severity.High, 6.8, "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", null,
            "RHSA-2019:3127: java-11-openjdk security update (Important)", null, null));
        var curl = report.Artifacts[1].Findings.Single(f => f.VulnerabilityId == "CVE-2019-5482");
        (curl.Package, curl.InstalledVersion, curl.FixedVersion, curl.Severity, curl.CvssScore).ShouldBe(
            ("curl", "7.29.0-54.el7_7.2", null, Severity.Medium, 6.3));
    }

    [Fact]
    public void ReadsAWebhookPayloadIntoOneArtifactPerImpactedImage()
    {
        var report = Read(WebhookPayload);

        report.Format.ShouldBe(ReportFormat.XrayWebhook);
        report.ScannedAt!.Value.ShouldBe(new DateTimeOffset(2024, 10, 1, 21, 25, 49, 935, TimeSpan.Zero), TimeSpan.FromMilliseconds(1));
        // The Maven artifact of the first issue is not an image; the license issue is not a vulnerability.
        var artifact = report.Artifacts.ShouldHaveSingleItem();
        artifact.Artifact.ArtifactoryPath.ShouldBe(new ArtifactoryImagePath("default", "docker-local", "aaw/jupyterlab-cpu", "v1"));
        artifact.Artifact.Digest.ShouldBe($"sha256:{ImageSha}");
        artifact.Findings.Select(f => (f.VulnerabilityId, f.Package, f.InstalledVersion, f.Severity, f.CvssScore, f.CvssVector)).ShouldBe(
        [
            ("XRAY-173753", "libssl1.1", "1.1.1n-0+deb11u3", Severity.Medium, null, null),
            ("CVE-2023-0286", "libssl1.1", "1.1.1n-0+deb11u3", Severity.High, 7.4, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H"),
            ("CVE-2023-0286", "openssl", "1.1.1n-0+deb11u3", Severity.High, 7.4, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H"),
        ]);
    }

    [Fact]
    public void ReadsTheOlderWebhookPayloadWithLegacySeverities()
    {
        var report = Read($$"""
            {
              "created": "2019-01-01T00:00:00Z", "top_severity": "Major", "watch_name": "all", "policy_name": "p",
              "issues": [
                { "severity": "Major", "type": "security", "provider": "JFrog", "created": "2018-01-01T00:00:00Z",
                  "summary": "s", "description": "d", "cve": "CVE-2018-0001",
                  "impacted_artifacts": [ { "name": "app:1", "display_name": "app:1", "path": "default/docker-local/app/1/",
                    "pkg_type": "Docker", "sha256": "{{ImageSha}}", "sha1": "", "depth": 0, "parent_sha": "{{ImageSha}}",
                    "infected_file": { "name": "zlib:1.2.11-r1", "path": "", "sha256": "{{ImageSha}}", "depth": 1,
                      "parent_sha": "{{ImageSha}}", "display_name": "3.10:zlib:1.2.11-r1", "pkg_type": "Alpine" } } ] },
                { "severity": "Minor", "type": "security", "provider": "JFrog", "created": "2018-01-01T00:00:00Z",
                  "summary": "s", "description": "d", "cve": "CVE-2018-0002",
                  "impacted_artifacts": [ { "name": "app:1", "display_name": "app:1", "path": "default/docker-local/app/1/",
                    "pkg_type": "Docker", "sha256": "{{ImageSha}}", "sha1": "", "depth": 0, "parent_sha": "{{ImageSha}}" } ] }
              ]
            }
            """);

        // Xray 2 renamed Major to Medium and Minor to Low.
        report.Findings().Select(f => (f.VulnerabilityId, f.Package, f.InstalledVersion, f.Severity)).ShouldBe(
        [
            ("CVE-2018-0001", "zlib", "1.2.11-r1", Severity.Medium),
            ("CVE-2018-0002", null, null, Severity.Low),
        ]);
    }

    [Fact]
    public void RejectsTheTruncatedWebhookExampleOfJfrogsKnowledgeBase()
    {
        // The only public example body (kept verbatim in the notes) was cut off mid-member by the stored copy.
        var lines = File.ReadAllLines(PathOf("jfrog-xray", "webhook", "XRAY_WEBHOOK_PAYLOAD_NOTES.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("Example Body", StringComparison.Ordinal));
        var first = Array.FindIndex(lines, start, l => l.Trim() == "{");
        var last = Array.FindIndex(lines, first, l => l.Contains("<-- stored copy ends here", StringComparison.Ordinal));
        var body = string.Join('\n', lines[first..(last + 1)]).Replace("   <-- stored copy ends here", string.Empty, StringComparison.Ordinal);

        var message = Rejects(body);

        message.ShouldStartWith("Xray webhook: the JSON ends too early (truncated?) at $.issues[0].impacted_artifacts[0].infected_files[0]");
    }

    [Fact]
    public void RejectsAWebhookSchemaVersionItDoesNotKnow()
    {
        var payload = JsonNode.Parse(WebhookPayload)!;
        payload["schema_version"] = "2.0";

        Rejects(payload.ToJsonString()).ShouldContain("schema_version '2.0' at $.schema_version is not supported");
    }

    [Fact]
    public void ReadsTheViolationsApiOncePerImageAndComponentWhateverTheWatch()
    {
        var report = Read($$"""
            {
              "total_violations": 4,
              "violations": [
                {{Violation("images")}},
                {{Violation("images-again")}},
                {
                  "description": "d", "severity": "Critical", "type": "Security", "infected_components": ["alpine://3.18:libcrypto3:3.1.1-r1"],
                  "created": "2023-08-01T00:00:00Z", "watch_name": "images", "issue_id": "XRAY-529000",
                  "violation_details_url": "https://xray.example.org/api/v1/violations/security/2",
                  "impacted_artifacts": [ { "name": "jupyterlab-gpu:v2", "display_name": "aaw/jupyterlab-gpu:v2",
                    "path": "default/docker-local/aaw/jupyterlab-gpu/v2/", "pkg_type": "Docker", "sha256": "{{GpuImageSha}}" } ],
                  "properties": [ { "cve": "CVE-2023-3446", "cwe": ["CWE-1333"], "cvss_v3": "5.3/CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L" } ],
                  "fix_versions": ["[3.1.1-r3]"], "extended_information": { "short_description": "s", "jfrog_research_severity": "Low",
                    "jfrog_research_severity_reasons": [ { "name": "n", "description": "d", "is_positive": true } ], "remediation": "r" }
                },
                {
                  "description": "The Apache Software License, Version 2.0", "severity": "High", "type": "License",
                  "infected_components": ["gav://commons-lang:commons-lang:2.4"], "created": "2019-11-26T18:03:37+02:00",
                  "watch_name": "licenses", "issue_id": "", "violation_details_url": "https://xray.example.org/api/v1/violations/license/3",
                  "impacted_artifacts": ["default/docker-local/aaw/jupyterlab-cpu/v1/"]
                }
              ]
            }
            """);

        report.Format.ShouldBe(ReportFormat.XrayViolations);
        report.Artifacts.Select(a => (a.Artifact.ArtifactoryPath!.Repository, a.Artifact.Digest, a.Findings.Count)).ShouldBe(
        [
            ("aaw/jupyterlab-cpu", null, 2),
            ("aaw/jupyterlab-gpu", $"sha256:{GpuImageSha}", 1),
        ]);
        report.Artifacts[0].Findings.ShouldBe(
        [
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2023-0286", "openssl", "1.1.1n-0+deb11u3", "1.1.1n-0+deb11u5",
                Severity.High, 7.4, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H", null, "X.400 address type confusion", null, null),
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2023-0286", "libssl1.1", "1.1.1n-0+deb11u3", "1.1.1n-0+deb11u5",
                Severity.High, 7.4, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H", null, "X.400 address type confusion", null, null),
        ]);
        var gpu = report.Artifacts[1].Findings.Single();
        (gpu.VulnerabilityId, gpu.Package, gpu.InstalledVersion, gpu.FixedVersion, gpu.Severity).ShouldBe(
            ("CVE-2023-3446", "libcrypto3", "3.1.1-r1", "3.1.1-r3", Severity.Critical));
    }

    [Fact]
    public void SkipsReportRowsAboutLicensesAndArtifactsThatAreNotImages()
    {
        var report = Read("""
            {
              "total_rows": 3,
              "rows": [
                { "type": "security", "vulnerable_component": "lodash", "impacted_artifact": "docker://docker-violations:latest",
                  "path": "docker-local/docker-violations/latest/", "watch_id": "45b397d9097293612f5c037e", "watch_name": "HighVulnWatch",
                  "summary": "Lodash Package for Node.js lodash.js baseSet() Function Prototype Pollution DoS", "policy_names": ["HighVuln"],
                  "severity": "High", "package_type": "npm", "issue_id": "XRAY-121295", "updated": "2020-08-31T16:01:42.64+03:00",
                  "published": "2020-01-01T00:00:00+03:00", "artifact_scan_time": "2020-01-01T00:00:00+03:00", "references": [],
                  "cves": [ { "cvss_v2_score": 7.1, "cvss_v2_vector": "CVSS:2.0/AV:N/AC:M/Au:N/C:N/I:N/A:C" } ], "cvss2_max_score": 7.1 },
                { "type": "license", "vulnerable_component": "gav://io.netty:netty-handler-proxy:4.1.48.Final",
                  "impacted_artifact": "docker://docker-violations:latest", "path": "docker-local/docker-violations/latest/",
                  "summary": "The Apache Software License, Version 2.0", "policy_names": ["BanApacheLicense"], "severity": "High", "package_type": "maven" },
                { "type": "security", "vulnerable_component": "gav://io.netty:netty-handler-proxy:4.1.48.Final",
                  "impacted_artifact": "generic://sha256:06bde4ed74044d133fce9d596258ec57c7e42023df5e3e542209a488347eb340/jfrog-artifactory-oss-7.7.3-linux.tar.gz",
                  "path": "generic-local/jfrog-artifactory-oss-7.7.3-linux.tar.gz", "severity": "High", "issue_id": "XRAY-1", "package_type": "maven" }
              ]
            }
            """);

        // The documentation's sample row (the trailing comma after cvss2_max_score removed): no CVE, so the Xray id.
        var finding = report.Findings().ShouldHaveSingleItem();
        (finding.VulnerabilityId, finding.Package, finding.InstalledVersion, finding.CvssScore, finding.CvssVector).ShouldBe(
            ("XRAY-121295", "lodash", null, 7.1, "CVSS:2.0/AV:N/AC:M/Au:N/C:N/I:N/A:C"));
        report.Artifacts.Single().Artifact.ArtifactoryPath.ShouldBe(new ArtifactoryImagePath(null, "docker-local", "docker-violations", "latest"));
    }

    [Fact]
    public void SkipsSummaryArtifactsXrayCouldNotSummarizeOrThatAreNotImages()
    {
        var report = Read($$"""
            {
              "artifacts": [
                { "general": { "name": "app:1", "component_id": "docker://app:1", "pkg_type": "Docker", "path": "docker-local/app/1/", "sha256": "{{ImageSha}}" },
                  "issues": [
                    { "issue_id": "XRAY-1", "summary": "s", "description": "d", "issue_type": "security", "severity": "High", "provider": "JFrog",
                      "cves": [ { "cve": "CVE-2024-0001", "cwe": ["CWE-79"], "cvss_v3": "6.1/CVSS:3.1/AV:N" }, { "cve": "CVE-2024-0002", "cvss_v2": "4.3/AV:N/AC:M" } ],
                      "created": "2024-01-01T00:00:00Z",
                      "impact_path": [ "docker-local/app/1/sha256__aa.tar.gz/debian:bookworm:libfoo:1.0-1", "docker-local/app/1/sha256__bb.tar.gz/debian:bookworm:libfoo:1.0-1" ],
                      "component_physical_paths": ["/usr/lib/libfoo.so"] },
                    { "issue_id": "XRAY-2", "summary": "GPL", "issue_type": "license", "severity": "High" }
                  ],
                  "licenses": [ { "name": "MIT", "full_name": "MIT License", "more_info_url": [], "components": ["deb://debian:bookworm:libfoo:1.0-1"] } ],
                  "operational_risks": [ { "component_id": "deb://debian:bookworm:libfoo:1.0-1", "risk": "Low", "is_eol": false, "newer_versions": 2, "cadence": 0.5 } ] },
                { "general": { "name": "app:2", "component_id": "docker://app:2", "pkg_type": "Docker", "path": "docker-local/app/2/", "sha256": "{{ImageSha}}" },
                  "error": "Artifact doesn't exist or not indexed/cached in Xray" },
                { "general": { "name": "lib.jar", "component_id": "gav://org.example:lib:1.0", "pkg_type": "Maven", "path": "libs-release/org/example/lib/1.0/lib-1.0.jar", "sha256": "{{ImageSha}}" },
                  "issues": [] }
              ],
              "errors": [ { "identifier": "docker-local/app/3/", "error": "Artifact doesn't exist or not indexed/cached in Xray" } ]
            }
            """);

        var artifact = report.Artifacts.ShouldHaveSingleItem();
        artifact.Artifact.ArtifactoryPath.ShouldBe(new ArtifactoryImagePath(null, "docker-local", "app", "1"));
        artifact.Findings.Select(f => (f.VulnerabilityId, f.Package, f.InstalledVersion, f.CvssScore, f.CvssVector)).ShouldBe(
        [
            ("CVE-2024-0001", "libfoo", "1.0-1", 6.1, "CVSS:3.1/AV:N"),
            ("CVE-2024-0002", "libfoo", "1.0-1", 4.3, "AV:N/AC:M"),
        ]);
    }

    // component id, package, installed version
    public static TheoryData<string, string, string?> ComponentIds => new()
    {
        { "deb://debian:bookworm:libssl3:3.0.13-1~deb12u1", "libssl3", "3.0.13-1~deb12u1" },
        { "deb://debian:bullseye:zlib1g:1:1.2.11.dfsg-2+deb11u2", "zlib1g", "1:1.2.11.dfsg-2+deb11u2" },
        { "alpine://3.18:libcrypto3:3.1.1-r1", "libcrypto3", "3.1.1-r1" },
        { "rpm://7:curl:16:7.29.0-54.el7_7.2", "curl", "7.29.0-54.el7_7.2" },
        { "gav://org.apache.logging.log4j:log4j-core:2.14.1", "org.apache.logging.log4j:log4j-core", "2.14.1" },
        { "npm://lodash:4.17.4", "lodash", "4.17.4" },
        { "go://github.com/opencontainers/runc:v1.1.4", "github.com/opencontainers/runc", "v1.1.4" },
        { "pypi://urllib3:1.26.3", "urllib3", "1.26.3" },
        { "lodash", "lodash", null },
        // Impact paths end in the same ids without a scheme.
        { "debian:bookworm:zlib1g:1:1.2.13.dfsg-1", "zlib1g", "1:1.2.13.dfsg-1" },
        { "3.12:openssl:1.1.1k-r0", "openssl", "1.1.1k-r0" },
    };

    [Theory]
    [MemberData(nameof(ComponentIds))]
    public void ReadsPackageAndVersionFromEachKindOfComponentId(string componentId, string package, string? version)
    {
        var report = Read($$"""
            {
              "violations": [
                { "severity": "High", "type": "Security", "issue_id": "XRAY-1", "infected_components": ["{{componentId}}"],
                  "impacted_artifacts": ["default/docker-local/app/1/"] }
              ]
            }
            """);

        var finding = report.Findings().ShouldHaveSingleItem();
        (finding.Package, finding.InstalledVersion).ShouldBe((package, version));
    }

    [Fact]
    public void RejectsADockerArtifactWhosePathIsNotAnImage()
    {
        var message = Rejects("""
            { "artifacts": [ { "general": { "name": "x", "pkg_type": "Docker", "path": "docker-local/../etc/passwd/" }, "issues": [] } ] }
            """);

        message.ShouldContain("Xray artifact summary: $.artifacts[0].general does not name a Docker image");
        message.ShouldContain("path traversal");
    }

    [Fact]
    public void RejectsAnUnknownFieldNamingItAndItsPath()
    {
        var summary = JsonNode.Parse(Bytes("jfrog-xray", "api_summary_artifact", "one_vuln.json"))!;
        summary["artifacts"]![0]!["issues"]![0]!["epss"] = 0.1;

        Rejects(summary.ToJsonString()).ShouldStartWith("Xray artifact summary: unknown field 'epss' at $.artifacts[0].issues[0]");
    }

    // The Xray fixtures that are not Xray's webhook, violations or summary responses, and why each is refused.
    [Fact]
    public void RejectsJfrogCliSimpleJsonBecauseItIsNotAnXrayResponse()
    {
        // `jf docker scan --format simple-json`: the CLI's own view of a local image, not an Artifactory path.
        var message = Rejects(Bytes("jfrog-xray", "jfrog-cli-security", "docker_simple_json.json"));

        message.ShouldStartWith("The body is JFrog CLI output");
    }

    [Fact]
    public void RejectsOnDemandBinaryScanOutputBecauseItIsAnArrayOfGraphScans()
    {
        // `jf docker scan --format json`: a JSON array of graph-scan results keyed by scan_id, naming docker://alpine:latest.
        var message = Rejects(Bytes("jfrog-xray", "on_demand_binary_scan", "many_vulns_docker.json"));

        message.ShouldStartWith("The body is a JSON array of Xray graph scan results");
    }

    [Fact]
    public void RejectsTheLegacyIssuesExportBecauseItNamesNoImage()
    {
        // {total_count, data[]}: components and their issues, but no impacted artifact to attach findings to.
        var message = Rejects(Bytes("jfrog-xray", "legacy_jfrogxray", "many_vulns.json"));

        message.ShouldStartWith("The body is an old Xray issues export ({total_count, data})");
    }

    [Fact]
    public void UsesTheConfiguredArtifactoryServerId()
    {
        var payload = WebhookPayload.Replace("default/docker-local/", "art1/docker-local/", StringComparison.Ordinal);

        var report = Read(System.Text.Encoding.UTF8.GetBytes(payload), options: new ScanReportReaderOptions { ArtifactoryServerId = "art1" });

        report.Artifacts.Single().Artifact.ArtifactoryPath.ShouldBe(
            new ArtifactoryImagePath("art1", "docker-local", "aaw/jupyterlab-cpu", "v1"));
    }

    private static string Violation(string watch) => $$"""
        {
          "description": "There is a type confusion vulnerability relating to X.400 address processing",
          "summary": "X.400 address type confusion",
          "severity": "High", "type": "Security", "provider": "JFrog",
          "infected_components": ["deb://debian:bullseye:openssl:1.1.1n-0+deb11u3", "deb://debian:bullseye:libssl1.1:1.1.1n-0+deb11u3"],
          "created": "2023-02-08T10:00:00Z", "watch_name": "{{watch}}", "issue_id": "XRAY-412345",
          "violation_details_url": "https://xray.example.org/api/v1/violations/security/{{watch}}",
          "impacted_artifacts": ["default/docker-local/aaw/jupyterlab-cpu/v1/", "default/npm-local/lodash/-/lodash-4.17.4.tgz"],
          "properties": [ { "cve": "CVE-2023-0286", "cwe": ["CWE-843"], "cvss_v3": "7.4/CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" } ],
          "fix_versions": ["≥ 1.1.1n-0+deb11u5"],
          "matched_policies": [ { "policy": "high", "rule": "high-rule", "is_blocking": false } ]
        }
        """;

    // Shaped after the example in JFrog's knowledge base article 000006214 (see the webhook notes), completed, with a
    // Docker image impacted next to the article's Maven artifact.
    private static readonly string WebhookPayload = $$"""
        {
          "schema_version": "1.1",
          "alert_id": "66fc68dd0f12d302c68891c1",
          "created": "2024-10-01T21:25:49.935220997Z",
          "top_severity": "Critical",
          "watch_name": "test-watch",
          "policy_name": "test-policy",
          "policy_rule": "test-rule",
          "issues": [
            {
              "vulnerability_id": "XRAY-173753",
              "severity": "Medium",
              "type": "security",
              "provider": "JFrog",
              "created": "2021-04-25T16:08:43.13Z",
              "summary": "[Vulnerability Summary]",
              "description": "[Vulnerability description]",
              "impacted_artifacts": [
                {
                  "name": "pinot-distribution-0.10.0.jar",
                  "display_name": "org.apache.pinot:pinot-distribution:0.10.0",
                  "path": "default/test-repository/org/apache/pinot/pinot-distribution/0.10.0/",
                  "pkg_type": "Maven",
                  "sha256": "{{ImageSha}}",
                  "sha1": "6a7fb558aaef69668417c081626183cb85d9f681",
                  "depth": 0,
                  "parent_sha": "{{ImageSha}}",
                  "infected_files": [
                    { "name": "pom.xml", "path": "META-INF/maven/org.glassfish.jersey.core/jersey-common/",
                      "sha256": "0000000000000000000000005e2da5df327912e725043569c6dc9f4b2f792ef9", "depth": 0,
                      "parent_sha": "{{ImageSha}}", "display_name": "org.glassfish.jersey.core:jersey-common:2.28", "pkg_type": "Maven" }
                  ]
                },
                {
                  "name": "jupyterlab-cpu:v1",
                  "display_name": "aaw/jupyterlab-cpu:v1",
                  "path": "default/docker-local/aaw/jupyterlab-cpu/v1/",
                  "pkg_type": "Docker",
                  "sha256": "{{ImageSha}}",
                  "sha1": "",
                  "depth": 0,
                  "parent_sha": "{{ImageSha}}",
                  "infected_files": [
                    { "name": "libssl1.1:1.1.1n-0+deb11u3", "path": "", "sha256": "{{ImageSha}}", "depth": 2, "parent_sha": "{{ImageSha}}",
                      "display_name": "debian:bullseye:libssl1.1:1.1.1n-0+deb11u3", "pkg_type": "Debian" }
                  ]
                }
              ]
            },
            {
              "issue_id": "XRAY-412345",
              "severity": "High",
              "type": "security",
              "provider": "JFrog",
              "created": "2023-02-08T00:00:00Z",
              "summary": "X.400 address type confusion",
              "description": "d",
              "cves": [ { "cve": "CVE-2023-0286", "cvss_v3": "7.4/CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H" } ],
              "impacted_artifacts": [
                {
                  "name": "jupyterlab-cpu:v1", "display_name": "aaw/jupyterlab-cpu:v1", "path": "default/docker-local/aaw/jupyterlab-cpu/v1/",
                  "pkg_type": "Docker", "sha256": "{{ImageSha}}", "sha1": "", "depth": 0, "parent_sha": "{{ImageSha}}",
                  "infected_files": [
                    { "name": "libssl1.1:1.1.1n-0+deb11u3", "path": "", "sha256": "{{ImageSha}}", "depth": 2, "parent_sha": "{{ImageSha}}",
                      "display_name": "debian:bullseye:libssl1.1:1.1.1n-0+deb11u3", "pkg_type": "Debian" },
                    { "name": "openssl:1.1.1n-0+deb11u3", "path": "", "sha256": "{{ImageSha}}", "depth": 2, "parent_sha": "{{ImageSha}}",
                      "display_name": "debian:bullseye:openssl:1.1.1n-0+deb11u3", "pkg_type": "Debian" }
                  ]
                }
              ]
            },
            {
              "issue_id": "XRAY-LIC-1", "severity": "High", "type": "license", "provider": "JFrog", "created": "2023-02-08T00:00:00Z",
              "summary": "GPL-3.0", "description": "banned license",
              "impacted_artifacts": [ { "name": "jupyterlab-cpu:v1", "path": "default/docker-local/aaw/jupyterlab-cpu/v1/", "pkg_type": "Docker" } ]
            }
          ]
        }
        """;
}
