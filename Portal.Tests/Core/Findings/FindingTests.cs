using Portal.Core.Findings;

namespace Portal.Tests.Core.Findings;

public sealed class FindingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:aaaa";

    private static ReportedFinding Cve(Severity severity = Severity.High, string? fixedVersion = "1.1.1l") =>
        new(FindingKind.Vulnerability, "CVE-2021-3711", "openssl", "1.1.1k", fixedVersion, severity, 9.8, null, "fixed", null, null, null);

    [Fact]
    public void StaysOpenWhileAnySourceStillReportsIt()
    {
        var finding = Finding.Discover(Digest, Cve(), "Trivy", Now);
        finding.Reported(Cve(), "XrayWebhook", Now.AddHours(1));

        finding.NotReported("Trivy", Now.AddHours(2));

        finding.IsOpen.ShouldBeTrue();
        finding.Sources.ShouldBe("XrayWebhook");
        finding.NotReported("XrayWebhook", Now.AddHours(3));
        finding.IsOpen.ShouldBeFalse();
        finding.ResolvedAt.ShouldBe(Now.AddHours(3));
    }

    [Fact]
    public void ReopensWhenReportedAgainAndKeepsWhenItWasFirstSeen()
    {
        var finding = Finding.Discover(Digest, Cve(), "Trivy", Now);
        finding.NotReported("Trivy", Now.AddDays(1));

        finding.Reported(Cve(), "Trivy", Now.AddDays(2));

        finding.IsOpen.ShouldBeTrue();
        finding.FirstSeen.ShouldBe(Now);
        finding.LastSeen.ShouldBe(Now.AddDays(2));
    }

    [Fact]
    public void KeepsTheWorstSeverityTheOpenSourcesReport()
    {
        var finding = Finding.Discover(Digest, Cve(Severity.Medium), "Trivy", Now);

        finding.Reported(Cve(Severity.Critical), "XrayWebhook", Now);
        finding.Reported(Cve(Severity.Medium), "Trivy", Now);

        finding.Severity.ShouldBe(Severity.Critical);
    }

    [Fact]
    public void PackagelessFindingsShareAKeyWithAnEmptyPackage()
    {
        var secret = new ReportedFinding(FindingKind.Secret, "aws-access-key-id", null, null, null, Severity.Critical, null, null, null, "AWS", "/app/.env", null);

        Finding.KeyOf(secret).ShouldBe((FindingKind.Secret, "aws-access-key-id", "", ""));
        Finding.Discover(Digest, secret, "Trivy", Now).Key.ShouldBe(Finding.KeyOf(secret));
    }
}
