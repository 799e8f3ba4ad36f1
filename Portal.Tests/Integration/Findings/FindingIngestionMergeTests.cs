using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>
/// How a report merges into the findings already stored for its digest: a re-scan, details that change, findings that
/// come back, repeats within one report, and a report that fails part-way. On SQLite and PostgreSQL.
/// </summary>
public sealed class FindingIngestionMergeTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "sha256:" + new string('d', 64);
    private static readonly string Other = "sha256:" + new string('e', 64);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReportedFinding Cve(string id, Severity severity, string? fixedVersion = "1.1.1l", string? title = null, double? score = null) =>
        new(FindingKind.Vulnerability, id, "openssl", "1.1.1k", fixedVersion, severity, score, null, "fixed", title, "image (debian 12.5)", null);

    private static ScanReport Report(ReportFormat format, params ReportedFinding[] findings) =>
        new(format, "test", Now, [new ArtifactFindings(new ScannedArtifact(Digest, null, null, "test"), findings)]);

    private static ScanReport Images(params (string Digest, ReportedFinding[] Findings)[] artifacts) =>
        new(ReportFormat.XrayWebhook, "test", Now, [.. artifacts.Select(a => new ArtifactFindings(new ScannedArtifact(a.Digest, null, null, a.Digest), a.Findings))]);

    private static async Task<List<Finding>> FindingsAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.Findings.AsNoTracking().OrderBy(f => f.Digest).ThenBy(f => f.VulnerabilityId).ToListAsync(Ct);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ARescanThatFindsTheSameTouchesEveryFindingAndChangesNothingElse(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);
        var report = Report(ReportFormat.Trivy, Cve("CVE-1", Severity.High, title: "openssl: overflow", score: 7.5), Cve("CVE-2", Severity.Low));
        await ingestion.IngestAsync(report, "api", null, Ct);
        var before = await FindingsAsync(database);
        clock.Advance(TimeSpan.FromDays(1));

        var result = await ingestion.IngestAsync(report, "api", null, Ct);

        result.Stored.ShouldHaveSingleItem().ShouldBe(new IngestedArtifact("test", Digest, 2, 0, 0));
        var after = await FindingsAsync(database);
        after.Select(f => f.LastSeen).ShouldAllBe(t => t == Now.AddDays(1));
        after.Select(Snapshot).ShouldBe(before.Select(Snapshot), "only LastSeen moves");
        after.Select(f => f.Id).ShouldBe(before.Select(f => f.Id));
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.OrderBy(r => r.Id).Select(r => r.New).ToListAsync(Ct)).ShouldBe([2, 0]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ALaterReportsDetailsAreStoredAndTheWorstSeverityStandsWhileOpen(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);
        await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.High, fixedVersion: null, title: "old title")), "api", null, Ct);
        clock.Advance(TimeSpan.FromHours(1));

        await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.Medium, fixedVersion: "1.1.1m", title: "new title", score: 6.1)), "api", null, Ct);

        var finding = (await FindingsAsync(database)).ShouldHaveSingleItem();
        (finding.FixedVersion, finding.Title, finding.CvssScore, finding.Severity).ShouldBe(("1.1.1m", "new title", 6.1, Severity.High));
        (finding.FirstSeen, finding.LastSeen, finding.ResolvedAt).ShouldBe((Now, Now.AddHours(1), null));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AResolvedFindingReportedAgainIsReopenedWithItsFirstSightingKept(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);
        await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.High), Cve("CVE-2", Severity.Low)), "api", null, Ct);
        clock.Advance(TimeSpan.FromDays(1));
        var dropped = await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-2", Severity.Low)), "api", null, Ct);
        (await FindingsAsync(database))[0].ResolvedAt.ShouldBe(Now.AddDays(1));
        clock.Advance(TimeSpan.FromDays(1));

        var back = await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.Low), Cve("CVE-2", Severity.Low)), "api", null, Ct);

        dropped.Stored[0].ShouldBe(new IngestedArtifact("test", Digest, 1, 0, 1));
        back.Stored[0].ShouldBe(new IngestedArtifact("test", Digest, 2, 0, 0), "a finding that comes back is not new");
        var cve1 = (await FindingsAsync(database))[0];
        (cve1.ResolvedAt, cve1.FirstSeen, cve1.LastSeen, cve1.Sources).ShouldBe((null, Now, Now.AddDays(2), "Trivy"));
        cve1.Severity.ShouldBe(Severity.Low, "a reopened finding takes the severity reported now");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AFindingListedTwiceInOneReportIsStoredOnceWithTheWorseSeverity(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));

        var result = await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.Medium), Cve("CVE-1", Severity.Critical)), "api", null, Ct);

        result.Stored[0].ShouldBe(new IngestedArtifact("test", Digest, 1, 1, 0));
        (await FindingsAsync(database)).ShouldHaveSingleItem().Severity.ShouldBe(Severity.Critical);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AnImageListedTwiceInOneReportIsMergedOnce(DatabaseKind kind)
    {
        // Xray lists one image once per Artifactory path it is stored under; both name the same digest.
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));
        ReportedFinding[] findings = [Cve("CVE-1", Severity.High), Cve("CVE-2", Severity.Low)];

        var result = await ingestion.IngestAsync(Images((Digest, findings), (Other, findings), (Digest, findings)), "xray-webhook", null, Ct);

        result.Stored.Select(s => (s.Digest, s.New, s.Dropped)).ShouldBe([(Digest, 2, 0), (Other, 2, 0), (Digest, 0, 0)]);
        (await FindingsAsync(database)).Select(f => (f.Digest, f.VulnerabilityId, f.IsOpen)).ShouldBe(
            [(Digest, "CVE-1", true), (Digest, "CVE-2", true), (Other, "CVE-1", true), (Other, "CVE-2", true)]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AReportOfHundredsOfFindingsIsStoredWholeAndTouchedWholeOnARescan(DatabaseKind kind)
    {
        // More findings than one multi-row INSERT takes, so the last statement is a shorter one.
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);
        var findings = Enumerable.Range(0, 450).Select(i => Cve($"CVE-2026-{i:D5}", (Severity)(i % 5))).ToArray();

        var first = await ingestion.IngestAsync(Report(ReportFormat.Trivy, findings), "api", null, Ct);
        clock.Advance(TimeSpan.FromHours(1));
        var second = await ingestion.IngestAsync(Report(ReportFormat.Trivy, findings[1..]), "api", null, Ct);

        (first.Stored[0].New, second.Stored[0].New, second.Stored[0].Dropped).ShouldBe((450, 0, 1));
        var stored = await FindingsAsync(database);
        stored.Count.ShouldBe(450);
        stored.Count(f => f.LastSeen == Now.AddHours(1) && f.IsOpen).ShouldBe(449);
        stored.Single(f => f.VulnerabilityId == "CVE-2026-00000").ResolvedAt.ShouldBe(Now.AddHours(1));
        stored.Select(f => (f.VulnerabilityId, f.Severity)).ShouldBe(findings.Select(f => (f.VulnerabilityId, f.Severity)), ignoreOrder: true);
    }

    [Fact]
    public async Task AReportThatFailsPartWayStoresNothing()
    {
        // PostgreSQL enforces the digest column's length; the second image's digest is too long to store.
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);
        await ingestion.IngestAsync(Report(ReportFormat.XrayWebhook, Cve("CVE-1", Severity.High)), "xray-webhook", null, Ct);
        var before = await FindingsAsync(database);
        clock.Advance(TimeSpan.FromDays(1));
        var tooLong = "sha256:" + new string('f', 200);

        await Should.ThrowAsync<Exception>(ingestion.IngestAsync(
            Images((Digest, [Cve("CVE-2", Severity.Low)]), (tooLong, [Cve("CVE-3", Severity.Low)])), "xray-webhook", null, Ct));

        var after = await FindingsAsync(database);
        after.Select(f => (f.VulnerabilityId, f.LastSeen, f.ResolvedAt, f.Sources)).ShouldBe(before.Select(f => (f.VulnerabilityId, f.LastSeen, f.ResolvedAt, f.Sources)));
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(1);
    }

    private static object Snapshot(Finding f) =>
        (f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.InstalledVersion, f.FixedVersion, f.Severity, f.CvssScore, f.CvssVector, f.Status, f.Title,
            f.Target, f.PrimaryUrl, f.Sources, f.FirstSeen, f.ResolvedAt);
}
