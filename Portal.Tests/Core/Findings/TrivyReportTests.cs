using System.Text.Json.Nodes;
using Portal.Core.Findings;
using Portal.Core.Registry;
using static Portal.Tests.Core.Findings.ReportFixtures;

namespace Portal.Tests.Core.Findings;

public sealed class TrivyReportTests
{
    // Numbers counted independently over each file (python over Results[].Vulnerabilities/Secrets/Misconfigurations,
    // misconfigurations only when Status is FAIL).
    public static TheoryData<string, string> Fixtures => new()
    {
        { "alpine-310.json.golden", Counts(1, vulnerabilities: 4, medium: 4) },
        { "alpine-39-skip.json.golden", Counts(1) },
        { "centos-7.json.golden", Counts(1, vulnerabilities: 3, medium: 1, low: 2) },
        { "debian-stretch.json.golden", Counts(1, vulnerabilities: 5, medium: 4, low: 1) },
        { "fluentd-gems.json.golden", Counts(1, vulnerabilities: 2, critical: 1, high: 1) },
        { "secrets.json.golden", Counts(1, secrets: 2, critical: 1, high: 1) },
        { "ubi-7-comprehensive.json.golden", Counts(1, vulnerabilities: 2, high: 1, low: 1) },
        { "ubuntu-1804.json.golden", Counts(1, vulnerabilities: 5, medium: 4, low: 1) },
        { "defectdojo/all_statuses.json", Counts(1, vulnerabilities: 8, low: 8) },
        { "defectdojo/misconfigurations_and_secrets.json", Counts(1, vulnerabilities: 2, secrets: 2, misconfigurations: 1, critical: 2, high: 2, medium: 1) },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadsEveryFixtureToTheCountedFindings(string file, string counts)
    {
        var report = ReadFile(["trivy", .. file.Split('/')]);

        report.Format.ShouldBe(ReportFormat.Trivy);
        report.Counts().ShouldBe(counts);
    }

    [Fact]
    public void ReadsOsPackageFindingsWithCvssFromNvdV3()
    {
        var report = ReadFile("trivy", "alpine-310.json.golden");

        report.Scanner.ShouldBe("Trivy dev");
        report.ScannedAt.ShouldBe(new DateTimeOffset(2021, 8, 25, 12, 20, 30, TimeSpan.Zero));
        var finding = report.Findings().First(f => f is { VulnerabilityId: "CVE-2019-1551", Package: "libssl1.1" });
        finding.ShouldBe(new ReportedFinding(
            FindingKind.Vulnerability, "CVE-2019-1551", "libssl1.1", "1.1.1c-r0", "1.1.1d-r2", Severity.Medium,
            5.3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", "fixed",
            "openssl: Integer overflow in RSAZ modular exponentiation on x86_64",
            "testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)", "https://avd.aquasec.com/nvd/cve-2019-1551"));
    }

    [Fact]
    public void NamesTheImageFromMetadataWhenTheArtifactNameIsALocalArchive()
    {
        var artifact = ReadFile("trivy", "alpine-310.json.golden").Artifacts.Single().Artifact;

        // "testdata/fixtures/images/alpine-310.tar.gz" would parse as a Docker Hub repository; it is a file.
        artifact.Name.ShouldBe("testdata/fixtures/images/alpine-310.tar.gz");
        artifact.Reference.ShouldBe(ImageReference.Parse("ghcr.io/aquasecurity/trivy-test-images:alpine-310"));
        artifact.Digest.ShouldBeNull();
        artifact.ArtifactoryPath.ShouldBeNull();
    }

    [Fact]
    public void ReadsAReportWithoutResultsAsOneImageScannedWithNothingFound()
    {
        // --skip-dirs over the whole OS: Trivy writes no Results member at all.
        var report = ReadFile("trivy", "alpine-39-skip.json.golden");

        var artifact = report.Artifacts.ShouldHaveSingleItem();
        artifact.Findings.ShouldBeEmpty();
        artifact.Artifact.Reference.ShouldBe(ImageReference.Parse("ghcr.io/aquasecurity/trivy-test-images:alpine-39"));
    }

    [Fact]
    public void KeepsEveryStatusValueAsTrivyWroteIt()
    {
        var findings = ReadFile("trivy", "defectdojo", "all_statuses.json").Findings();

        findings.Select(f => f.Status).Order().ShouldBe(
        [
            "affected", "end_of_life", "fix_deferred", "fixed", "not_affected", "under_investigation", "unknown", "will_not_fix",
        ]);
        var deferred = findings.Single(f => f.Status == "fix_deferred");
        (deferred.VulnerabilityId, deferred.Package, deferred.InstalledVersion, deferred.FixedVersion).ShouldBe(
            ("CVE-2018-12699", "binutils", "2.31.1-16", null));
        (deferred.CvssScore, deferred.CvssVector).ShouldBe((9.8, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));

        // A Debian tracker id without any CVSS keeps its id and has no score.
        var temp = findings.Single(f => f.VulnerabilityId == "TEMP-0841856-B18BAF");
        (temp.CvssScore, temp.CvssVector, temp.Severity).ShouldBe((null, null, Severity.Low));
    }

    [Fact]
    public void ReadsBlankRepoDigestsAndArtifactNameAsUnknown()
    {
        var artifact = ReadFile("trivy", "defectdojo", "all_statuses.json").Artifacts.Single().Artifact;

        (artifact.Digest, artifact.Reference, artifact.Name).ShouldBe((null, null, string.Empty));
    }

    [Fact]
    public void ReadsOsAndLanguagePackageResultsAlikeWithTheirOwnTargets()
    {
        var findings = ReadFile("trivy", "fluentd-gems.json.golden").Findings();

        findings.Select(f => (f.Kind, f.Package, f.Target)).ShouldBe(
        [
            (FindingKind.Vulnerability, "libidn2-0", "testdata/fixtures/images/fluentd-multiple-lockfiles.tar.gz (debian 10.2)"),
            (FindingKind.Vulnerability, "activesupport", "Ruby"),
        ]);
        var gem = findings[1];
        (gem.VulnerabilityId, gem.InstalledVersion, gem.FixedVersion, gem.Severity, gem.CvssScore).ShouldBe(
            ("CVE-2020-8165", "6.0.2.1", "6.0.3.1, 5.2.4.3", Severity.High, 9.8));
    }

    [Fact]
    public void KeepsSecretsAsSecretFindingsOfTheirFile()
    {
        var findings = ReadFile("trivy", "secrets.json.golden").Findings();

        findings.ShouldBe(
        [
            new ReportedFinding(FindingKind.Secret, "aws-access-key-id", null, null, null, Severity.Critical, null, null, null,
                "AWS Access Key ID", "deploy.sh", null),
            new ReportedFinding(FindingKind.Secret, "mysecret", null, null, null, Severity.High, null, null, null,
                "My Secret", "deploy.sh", null),
        ]);
    }

    [Fact]
    public void KeepsFailedMisconfigurationsAndSecretsNextToVulnerabilities()
    {
        var report = ReadFile("trivy", "defectdojo", "misconfigurations_and_secrets.json");
        var findings = report.Findings();

        report.Artifacts.Single().Artifact.Name.ShouldBe(".");
        var misconfiguration = findings.Single(f => f.Kind == FindingKind.Misconfiguration);
        misconfiguration.ShouldBe(new ReportedFinding(
            FindingKind.Misconfiguration, "DS002", null, null, null, Severity.High, null, null, "FAIL",
            "Image user should not be 'root'", "Dockerfile", "https://avd.aquasec.com/misconfig/ds002"));
        findings.Where(f => f.Kind == FindingKind.Secret).Select(f => (f.VulnerabilityId, f.Target, f.Severity)).ShouldBe(
        [
            ("github-pat", "Dockerfile", Severity.Critical),
            ("github-pat", "secret.txt", Severity.Critical),
        ]);
        var urllib3 = findings.First(f => f.Kind == FindingKind.Vulnerability);
        (urllib3.VulnerabilityId, urllib3.Package, urllib3.InstalledVersion, urllib3.FixedVersion, urllib3.Status, urllib3.Target)
            .ShouldBe(("CVE-2021-33503", "urllib3", "1.26.3", "1.26.5", null, "requirements.txt"));
    }

    [Fact]
    public void IgnoresMisconfigurationChecksThatPassed()
    {
        var report = Read(Report(result: """
            {
              "Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
              "MisconfSummary": { "Successes": 1, "Failures": 1, "Exceptions": 1 },
              "Misconfigurations": [
                { "Type": "Dockerfile Security Check", "ID": "DS001", "AVDID": "AVD-DS-0001", "Title": "pinned", "Severity": "MEDIUM", "Status": "PASS" },
                { "Type": "Dockerfile Security Check", "ID": "DS026", "AVDID": "AVD-DS-0026", "Title": "healthcheck", "Severity": "LOW", "Status": "FAIL" },
                { "Type": "Dockerfile Security Check", "ID": "DS002", "AVDID": "AVD-DS-0002", "Title": "root", "Severity": "HIGH", "Status": "EXCEPTION" }
              ]
            }
            """));

        report.Findings().Select(f => (f.Kind, f.VulnerabilityId, f.Severity)).ShouldBe(
            [(FindingKind.Misconfiguration, "DS026", Severity.Low)]);
    }

    [Fact]
    public void TakesTheDigestFromRepoDigestsAndTheReferenceFromTheArtifactName()
    {
        var report = Read(Report(
            artifactName: "ghcr.io/example/app:1.2",
            metadata: """
                {
                  "RepoTags": ["ghcr.io/example/app:1.2"],
                  "RepoDigests": ["ghcr.io/example/app@sha256:2b0ba1a8b5b4ce0b5b2b8c3d0f1e7e9e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"]
                }
                """));

        var artifact = report.Artifacts.Single().Artifact;
        artifact.Digest.ShouldBe("sha256:2b0ba1a8b5b4ce0b5b2b8c3d0f1e7e9e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d");
        artifact.Reference.ShouldBe(ImageReference.Parse("ghcr.io/example/app:1.2"));
        artifact.Name.ShouldBe("ghcr.io/example/app:1.2");
    }

    // vendors in the CVSS map, the severity source, expected score and vector
    public static TheoryData<string, string?, double?, string?> CvssChoices => new()
    {
        // NVD's v3 wins over the vendor the severity came from.
        { """{ "redhat": { "V3Score": 4.8, "V3Vector": "R3" }, "nvd": { "V2Score": 5, "V2Vector": "N2", "V3Score": 5.3, "V3Vector": "N3" } }""", "redhat", 5.3, "N3" },
        // Without NVD v3, the severity source's v3.
        { """{ "nvd": { "V2Score": 5, "V2Vector": "N2" }, "ubuntu": { "V3Score": 6.1, "V3Vector": "U3" }, "redhat": { "V3Score": 4.8, "V3Vector": "R3" } }""", "redhat", 4.8, "R3" },
        // Otherwise any v3, vendors in name order.
        { """{ "nvd": { "V2Score": 5, "V2Vector": "N2" }, "redhat": { "V3Score": 4.8, "V3Vector": "R3" }, "ghsa": { "V3Score": 7.5, "V3Vector": "G3" } }""", "debian", 7.5, "G3" },
        // No v3 anywhere: v4.0 before v2.
        { """{ "nvd": { "V2Score": 5, "V2Vector": "N2" }, "ghsa": { "V40Score": 8.7, "V40Vector": "CVSS:4.0/AV:N" } }""", "nvd", 8.7, "CVSS:4.0/AV:N" },
        // v2 only.
        { """{ "redhat": { "V2Score": 4.3, "V2Vector": "R2" }, "nvd": { "V2Score": 5, "V2Vector": "N2" } }""", "redhat", 5.0, "N2" },
        { """{}""", "nvd", null, null },
    };

    [Theory]
    [MemberData(nameof(CvssChoices))]
    public void ChoosesCvssNvdV3FirstThenTheSeveritySourceThenAnyV3ThenV2(string cvss, string? source, double? score, string? vector)
    {
        var report = Read(Report(result: $$"""
            {
              "Target": "image (debian 12.5)", "Class": "os-pkgs", "Type": "debian",
              "Vulnerabilities": [
                { "VulnerabilityID": "CVE-2024-0001", "PkgName": "libfoo", "InstalledVersion": "1.0", "Severity": "HIGH",
                  "SeveritySource": "{{source}}", "CVSS": {{cvss}} }
              ]
            }
            """));

        var finding = report.Findings().Single();
        (finding.CvssScore, finding.CvssVector).ShouldBe((score, vector));
    }

    [Fact]
    public void AcceptsEveryDocumentedMemberAndReportsOnlySecurityFindings()
    {
        // Members the fixtures do not show: packages (--list-all-pkgs), licenses, custom resources, findings Trivy
        // itself suppressed, git metadata, CVSS v4, layers with CreatedBy.
        var report = Read($$"""
            {
              "SchemaVersion": 2,
              "ReportID": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
              "CreatedAt": "2025-01-02T03:04:05.123456789Z",
              "ArtifactID": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
              "ArtifactName": "registry.example.org/team/app:2.0",
              "ArtifactType": "container_image",
              "Trivy": { "Version": "0.58.1" },
              "Metadata": {
                "Size": 1024,
                "OS": { "Family": "debian", "Name": "12.5", "EOSL": false, "Extended": false },
                "ImageID": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
                "DiffIDs": [], "RepoTags": [], "RepoDigests": [],
                "Reference": "registry.example.org/team/app:2.0",
                "Layers": [ { "Size": 10, "Digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333", "DiffID": "sha256:4444444444444444444444444444444444444444444444444444444444444444", "CreatedBy": "ADD file" } ],
                "ImageConfig": {
                  "architecture": "arm64", "variant": "v8", "os": "linux", "author": "me", "created": "2025-01-01T00:00:00Z",
                  "rootfs": { "type": "layers", "diff_ids": [] },
                  "config": { "User": "1000", "Labels": { "a": "b" }, "Volumes": { "/data": {} }, "ExposedPorts": { "80/tcp": {} },
                              "Healthcheck": { "Test": ["CMD", "true"], "Interval": 1000, "Retries": 3 }, "StopSignal": "SIGTERM", "Shell": ["/bin/sh"] },
                  "history": [ { "created": "2025-01-01T00:00:00Z", "created_by": "ADD", "author": "me", "comment": "c", "empty_layer": true } ]
                },
                "RepoURL": "https://example.org/repo.git", "Branch": "main", "Tags": ["v2"], "Commit": "abc", "CommitMsg": "m", "Author": "a", "Committer": "c"
              },
              "Results": [
                {
                  "Target": "image (debian 12.5)", "Class": "os-pkgs", "Type": "debian",
                  "Packages": [ { "ID": "libfoo@1.0", "Name": "libfoo", "Identifier": { "PURL": "pkg:deb/debian/libfoo@1.0", "UID": "u", "BOMRef": "b" },
                                  "Version": "1.0", "Release": "1", "Epoch": 1, "Arch": "arm64", "SrcName": "foo", "SrcVersion": "1.0", "SrcRelease": "1", "SrcEpoch": 1,
                                  "Licenses": ["MIT"], "Maintainer": "m", "DependsOn": ["libc@2"], "Layer": { "DiffID": "sha256:4444444444444444444444444444444444444444444444444444444444444444" },
                                  "Relationship": "direct", "Indirect": false, "Dev": false, "FilePath": "", "Digest": "md5:00", "Locations": [ { "StartLine": 1, "EndLine": 2 } ],
                                  "InstalledFiles": ["/usr/lib/libfoo.so"], "Modularitylabel": "", "BuildInfo": { "ContentSets": ["x"], "Nvr": "n", "Arch": "a" },
                                  "ExternalReferences": [ { "Type": "vcs", "URL": "https://example.org" } ], "AnalyzedBy": "dpkg" } ],
                  "Vulnerabilities": [
                    { "VulnerabilityID": "CVE-2025-0001", "VendorIDs": ["DSA-1"], "PkgID": "libfoo@1.0", "PkgName": "libfoo",
                      "PkgIdentifier": { "PURL": "pkg:deb/debian/libfoo@1.0", "UID": "u" }, "InstalledVersion": "1.0", "FixedVersion": "1.1",
                      "Status": "fixed", "Layer": { "Digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333" },
                      "SeveritySource": "debian", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2025-0001",
                      "DataSource": { "ID": "debian", "Name": "Debian Security Tracker", "URL": "https://salsa.debian.org", "BaseID": "debian" },
                      "Fingerprint": "sha256:5", "Title": "t", "Description": "d", "Severity": "CRITICAL", "CweIDs": ["CWE-1"],
                      "VendorSeverity": { "debian": 4, "nvd": 3 },
                      "CVSS": { "nvd": { "V40Vector": "CVSS:4.0/AV:N", "V40Score": 9.3, "V3Vector": "CVSS:3.1/AV:N", "V3Score": 9.1 } },
                      "References": ["https://example.org"], "PublishedDate": "2025-01-01T00:00:00Z", "LastModifiedDate": "2025-01-02T00:00:00Z" }
                  ],
                  "ExperimentalModifiedFindings": [
                    { "Type": "vulnerability", "Status": "ignored", "Statement": "not reachable", "Source": ".trivyignore",
                      "Finding": { "VulnerabilityID": "CVE-2025-0002", "PkgName": "libbar", "InstalledVersion": "2.0", "Severity": "HIGH" } }
                  ]
                },
                { "Target": "OS Packages", "Class": "license",
                  "Licenses": [ { "Severity": "HIGH", "Category": "restricted", "PkgName": "libfoo", "FilePath": "", "Name": "GPL-3.0", "Text": "", "Confidence": 1, "Link": "" } ] },
                { "Target": "custom", "Class": "custom", "CustomResources": [ { "Type": "spring4shell/java-major-version", "FilePath": "/usr/lib/jvm", "Layer": {}, "Data": "11.0.15" } ] }
              ]
            }
            """);

        report.Scanner.ShouldBe("Trivy 0.58.1");
        var finding = report.Findings().ShouldHaveSingleItem();
        (finding.VulnerabilityId, finding.Severity, finding.CvssScore, finding.CvssVector).ShouldBe(
            ("CVE-2025-0001", Severity.Critical, 9.1, "CVSS:3.1/AV:N"));
        report.Artifacts.Single().Artifact.Reference.ShouldBe(ImageReference.Parse("registry.example.org/team/app:2.0"));
    }

    [Fact]
    public void RejectsSchemaVersionsOtherThanTwo()
    {
        var report = JsonNode.Parse(Bytes("trivy", "alpine-310.json.golden"))!;
        report["SchemaVersion"] = 3;

        var message = Rejects(report.ToJsonString());

        message.ShouldContain("SchemaVersion 3");
        message.ShouldContain("$.SchemaVersion");
    }

    [Fact]
    public void RejectsAReportWithoutSchemaVersion()
    {
        var message = Rejects("""{ "ArtifactName": "nginx", "ArtifactType": "container_image", "Results": [] }""");

        message.ShouldContain("SchemaVersion is missing");
    }

    [Fact]
    public void RejectsAnUnknownFieldNamingItAndItsPath()
    {
        var report = JsonNode.Parse(Bytes("trivy", "alpine-310.json.golden"))!;
        report["Results"]![0]!["Vulnerabilities"]![1]!["Exploitable"] = true;

        var message = Rejects(report.ToJsonString());

        message.ShouldStartWith("Trivy report: unknown field 'Exploitable' at $.Results[0].Vulnerabilities[1]");
    }

    [Fact]
    public void RejectsAResultWithoutTarget()
    {
        var message = Rejects(Report(result: """{ "Class": "os-pkgs", "Vulnerabilities": [] }"""));

        message.ShouldContain("missing required field 'Target' at $.Results[0]");
    }

    [Fact]
    public void RejectsAnObjectWhereTheResultsArrayBelongs()
    {
        var message = Rejects("""{ "SchemaVersion": 2, "ArtifactName": "nginx", "Results": { "Target": "x" } }""");

        message.ShouldContain("$.Results must be an array, not an object");
        message.ShouldContain("line 1");
    }

    [Fact]
    public void RejectsAnUnknownSeverityWord()
    {
        var message = Rejects(Report(result: """
            { "Target": "t", "Vulnerabilities": [ { "VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": "SEVERE" } ] }
            """));

        message.ShouldContain("unknown severity 'SEVERE' at $.Results[0].Vulnerabilities[0].Severity");
    }

    [Fact]
    public void RejectsARepoDigestThatIsNotADigest()
    {
        var message = Rejects(Report(metadata: """{ "RepoDigests": ["nginx@sha256:abc"] }"""));

        message.ShouldContain("$.Metadata.RepoDigests[0] 'nginx@sha256:abc'");
    }

    [Fact]
    public void RejectsTrivysOldSchemaVersionOneArray()
    {
        var message = Rejects("""[ { "Target": "nginx (debian 10.4)", "Vulnerabilities": [] } ]""");

        message.ShouldContain("SchemaVersion 1");
    }

    private static string Report(string? result = null, string artifactName = "image", string metadata = "{}") =>
        $$"""
        {
          "SchemaVersion": 2,
          "ArtifactName": "{{artifactName}}",
          "ArtifactType": "container_image",
          "Metadata": {{metadata}},
          "Results": [{{result}}]
        }
        """;
}
