using Portal.Core.Findings;

namespace Portal.Tests.Core.Findings;

public sealed class FindingExceptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static Finding OpensslFinding(string digest = "sha256:aaaa") => Finding.Discover(digest,
        new ReportedFinding(FindingKind.Vulnerability, "CVE-2021-3711", "openssl", "1.1.1k", "1.1.1l", Severity.Critical, 9.8, null, null, null, null, null),
        "Trivy", Now);

    [Fact]
    public void CoversFindingsWithinItsScopeUntilItExpires()
    {
        var exception = FindingException.Record("cve-2021-3711", "aaw/jupyterlab-cpu", null, "openssl", ExceptionState.NotAffected,
            "openssl is not reachable from the notebook server", "admin@example.org", Now, Now.AddDays(30));

        exception.Covers(OpensslFinding(), "aaw/jupyterlab-cpu", Now.AddDays(1)).ShouldBeTrue("ids compare case-insensitively");
        exception.Covers(OpensslFinding(), "users/alice/custom", Now.AddDays(1)).ShouldBeFalse("another repository");
        exception.Covers(OpensslFinding(), "aaw/jupyterlab-cpu", Now.AddDays(30)).ShouldBeFalse("expired exceptions stop applying by themselves");
    }

    [Fact]
    public void ARevokedExceptionNoLongerCovers()
    {
        var exception = FindingException.Record("CVE-2021-3711", null, "sha256:aaaa", null, ExceptionState.RiskAccepted, "accepted", "admin", Now, Now.AddDays(30));
        exception.Revoke("admin", Now.AddDays(1));

        exception.Covers(OpensslFinding(), "any", Now.AddDays(2)).ShouldBeFalse();
    }

    [Fact]
    public void ValidationNamesEveryProblem()
    {
        FindingException.Validate(" ", "", Now, Now, 90).ShouldBe(
            ["A vulnerability id is required.", "A justification is required.", "The expiry must be in the future."]);
        FindingException.Validate("CVE-1", "why", Now, Now.AddDays(91), 90).ShouldBe(["The expiry may be at most 90 days away (policy)."]);
        FindingException.Validate("CVE-1", "why", Now, Now.AddDays(90), 90).ShouldBeEmpty();
    }
}
