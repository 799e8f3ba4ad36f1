using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Core.Inventory;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>
/// Reports merge into one deduplicated set of findings per digest, with history: a re-scan, details that change, findings
/// that come back, repeats within one report, and a report that fails part-way. On SQLite and PostgreSQL.
/// </summary>
public sealed class FindingIngestionTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "sha256:" + new string('d', 64);
    private static readonly string Other = "sha256:" + new string('e', 64);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScanReport Fixture(string folder, string file) =>
        ScanReportReader.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, file)), null, new ScanReportReaderOptions());

    private static ReportedFinding Cve(string id, Severity severity, string? fixedVersion = "1.1.1l", string? title = null, double? score = null) =>
        new(FindingKind.Vulnerability, id, "openssl", "1.1.1k", fixedVersion, severity, score, null, "fixed", title, null, null);

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
    public async Task StoresARealTrivyReportForTheStatedDigestWithItsHistory(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));

        var result = await ingestion.IngestAsync(Fixture("trivy", "debian-stretch.json.golden"), "api-key ci", Digest, Ct);

        result.Stored.ShouldHaveSingleItem().ShouldBe(new IngestedArtifact(result.Stored[0].Name, Digest, 5, 5, 0));
        await using var db = database.CreateDbContext();
        (await db.Findings.CountAsync(f => f.Digest == Digest && f.ResolvedAt == null, Ct)).ShouldBe(5);
        var record = await db.ScanRecords.SingleAsync(Ct);
        (record.Format, record.Source, record.Findings, record.New).ShouldBe((ReportFormat.Trivy, "api-key ci", 5, 5));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AFindingStaysOpenWhileAnyScannersLatestReportListsIt(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ingestion = new FindingIngestion(database, clock);

        await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-1", Severity.High), Cve("CVE-2", Severity.Low)), "api", null, Ct);
        await ingestion.IngestAsync(Report(ReportFormat.XrayWebhook, Cve("CVE-1", Severity.Critical)), "xray-webhook", null, Ct);
        clock.Advance(TimeSpan.FromDays(1));
        var second = await ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-2", Severity.Low), Cve("CVE-3", Severity.Medium)), "api", null, Ct);

        second.Stored.ShouldHaveSingleItem().ShouldBe(new IngestedArtifact("test", Digest, 2, 1, 1));
        await using var db = database.CreateDbContext();
        var findings = await db.Findings.OrderBy(f => f.VulnerabilityId).ToListAsync(Ct);
        findings.Select(f => (f.VulnerabilityId, f.IsOpen, f.Sources)).ShouldBe(
        [
            ("CVE-1", true, "XrayWebhook"),
            ("CVE-2", true, "Trivy"),
            ("CVE-3", true, "Trivy"),
        ]);
        findings[0].Severity.ShouldBe(Severity.Critical, "deduplicated across scanners, the worst severity counts");
        findings[2].FirstSeen.ShouldBe(Now.AddDays(1), "new since the last scan");
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(3);

        await ingestion.IngestAsync(Report(ReportFormat.XrayWebhook), "xray-webhook", null, Ct);
        await using var check = database.CreateDbContext();
        var cve1 = await check.Findings.SingleAsync(f => f.VulnerabilityId == "CVE-1", Ct);
        cve1.ResolvedAt.ShouldBe(Now.AddDays(1), "no scanner lists it any more");
    }

    [Fact]
    public async Task FindsTheDigestOfATaggedReferenceThroughTheInventory()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await using (var db = database.CreateDbContext())
        {
            var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, "docker-local", true, 4, Now);
            db.Registries.Add(registry);
            await db.SaveChangesAsync(Ct);
            var repository = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", Now);
            db.Repositories.Add(repository);
            await db.SaveChangesAsync(Ct);
            var image = ImageManifest.Discover(repository.Id, Digest, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, null, Now, 1,
                new Dictionary<string, string>(), [], Now);
            db.Images.Add(image);
            await db.SaveChangesAsync(Ct);
            db.Tags.Add(ImageTag.Discover(repository.Id, "v1", image.Id, Now));
            await db.SaveChangesAsync(Ct);
        }

        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));
        Portal.Core.Registry.ArtifactoryImagePath.TryParse("docker-local/aaw/jupyterlab-cpu/v1/", out var path, out _).ShouldBeTrue();
        var byReference = new ScanReport(ReportFormat.Trivy, "test", Now,
        [
            new ArtifactFindings(new ScannedArtifact(null, Portal.Core.Registry.ImageReference.Parse("127.0.0.1:5082/aaw/jupyterlab-cpu:v1"), null, "ref"), [Cve("CVE-1", Severity.High)]),
            new ArtifactFindings(new ScannedArtifact(null, null, path, "xray path"), [Cve("CVE-2", Severity.High)]),
            new ArtifactFindings(new ScannedArtifact(null, Portal.Core.Registry.ImageReference.Parse("127.0.0.1:5082/aaw/jupyterlab-cpu:v9"), null, "unknown tag"), [Cve("CVE-3", Severity.High)]),
        ]);

        var result = await ingestion.IngestAsync(byReference, "api", null, Ct);

        result.Stored.Select(s => (s.Name, s.Digest)).ShouldBe([("ref", Digest), ("xray path", Digest)]);
        result.Unmatched.ShouldBe(["unknown tag"]);
    }

    [Fact]
    public async Task AStatedDigestIsOnlyForAReportAboutOneImage()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));
        var two = new ScanReport(ReportFormat.Trivy, "test", Now,
            [new ArtifactFindings(new ScannedArtifact(null, null, null, "a"), []), new ArtifactFindings(new ScannedArtifact(null, null, null, "b"), [])]);

        await Should.ThrowAsync<ScanReportFormatException>(ingestion.IngestAsync(two, "api", Digest, Ct));

        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(0);
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

        var error = await Should.ThrowAsync<Exception>(ingestion.IngestAsync(
            Images((Digest, [Cve("CVE-2", Severity.Low)]), (tooLong, [Cve("CVE-3", Severity.Low)])), "xray-webhook", null, Ct));

        (error as DbException ?? error.InnerException as DbException).ShouldNotBeNull($"the database refused the digest, not something else: {error}");
        var after = await FindingsAsync(database);
        after.Select(f => (f.VulnerabilityId, f.LastSeen, f.ResolvedAt, f.Sources)).ShouldBe(before.Select(f => (f.VulnerabilityId, f.LastSeen, f.ResolvedAt, f.Sources)));
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ReportsOfOneDigestDeliveredAtOnceMergeIntoOneSet(DatabaseKind kind)
    {
        // Written side by side, two reports of one digest would both add CVE-0 (a unique-key violation) or wait on each other's locks.
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));

        var results = await Task.WhenAll(Enumerable.Range(1, 12).Select(i =>
            Task.Run(() => ingestion.IngestAsync(Report(ReportFormat.Trivy, Cve("CVE-0", Severity.High), Cve($"CVE-{i}", Severity.Low)), "api", null, Ct), Ct)));

        results.Sum(r => r.Stored.Single().New).ShouldBe(13, "CVE-0 is new once, each report's own CVE once");
        var findings = await FindingsAsync(database);
        findings.Count.ShouldBe(13);
        findings.Count(f => f.IsOpen).ShouldBe(2, "CVE-0 and the CVE of whichever report was stored last; the scanner's earlier reports are superseded");
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(12);
    }

    [Fact]
    public async Task ReportsThatWaitedAreCommittedTogetherAndACancelledOneIsNotStored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));
        var (blocker, first) = await FirstReportWaitingForALockAsync(database, ingestion);
        await using var _ = blocker;
        var waited = Enumerable.Range(1, 8).Select(i => ingestion.IngestAsync(DigestReport(i), "api", null, Ct)).ToList();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelled = ingestion.IngestAsync(DigestReport(9), "api", null, cancel.Token);
        await cancel.CancelAsync();

        await blocker.Database.CommitTransactionAsync(Ct);

        (await first).Stored.Single().New.ShouldBe(1);
        await Should.ThrowAsync<OperationCanceledException>(cancelled);
        foreach (var (task, i) in waited.Select((t, i) => (t, i + 1)))
        {
            (await task).Stored.Single().ShouldBe(new IngestedArtifact(DigestOf(i), DigestOf(i), 1, 1, 0));
        }

        ingestion.Commits.ShouldBe(2, "the first report alone, then the eight that waited for it in one transaction");
        (await FindingsAsync(database)).Select(f => f.Digest).ShouldBe(Enumerable.Range(0, 9).Select(DigestOf), ignoreOrder: true);
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(9, "not the cancelled one");
    }

    [Fact]
    public async Task AReportThatFailsAmongOthersThatWaitedFailsAlone()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Postgres, postgres);
        var ingestion = new FindingIngestion(database, new FakeTimeProvider(Now));
        var (blocker, first) = await FirstReportWaitingForALockAsync(database, ingestion);
        await using var _ = blocker;
        // PostgreSQL enforces the digest column's length: report 5's digest is too long to store.
        var tooLong = "sha256:" + new string('f', 200);
        var waited = Enumerable.Range(1, 8)
            .Select(i => ingestion.IngestAsync(i == 5 ? Images((tooLong, [Cve("CVE-5", Severity.Low)])) : DigestReport(i), "api", null, Ct))
            .ToList();

        await blocker.Database.CommitTransactionAsync(Ct);

        await first;
        var failure = await Should.ThrowAsync<Exception>(waited[4]);
        (failure as DbException ?? failure.InnerException as DbException).ShouldNotBeNull($"the database refused the digest, not something else: {failure}");
        foreach (var (task, i) in waited.Select((t, i) => (Task: t, Number: i + 1)).Where(w => w.Number != 5))
        {
            (await task).Stored.Single().ShouldBe(new IngestedArtifact(DigestOf(i), DigestOf(i), 1, 1, 0));
        }

        (await FindingsAsync(database)).Select(f => f.Digest).ShouldBe(Enumerable.Range(0, 9).Where(i => i != 5).Select(DigestOf), ignoreOrder: true);
        await using var db = database.CreateDbContext();
        (await db.ScanRecords.CountAsync(Ct)).ShouldBe(8, "the first report and the seven good ones that waited");
    }

    /// <summary>
    /// Report 0 delivered while another transaction holds the findings table (reads go on, the INSERT waits), returned once
    /// it waits, so the reports delivered next queue up behind it; committing the blocker's transaction lets it go on.
    /// </summary>
    private static async Task<(Portal.Data.PortalDbContext Blocker, Task<IngestionResult> First)> FirstReportWaitingForALockAsync(
        TestDatabase database, FindingIngestion ingestion)
    {
        var blocker = database.CreateDbContext();
        await blocker.Database.BeginTransactionAsync(Ct);
        await blocker.Database.ExecuteSqlRawAsync("LOCK TABLE findings IN EXCLUSIVE MODE", Ct);
        var first = ingestion.IngestAsync(DigestReport(0), "api", null, Ct);
        await WaitForAsync(async () => await WaitingLocksAsync(blocker) == 1);
        return (blocker, first);
    }

    private static string DigestOf(int i) => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    private static ScanReport DigestReport(int i) => Images((DigestOf(i), [Cve($"CVE-{i}", Severity.Low)]));

    private static async Task<long> WaitingLocksAsync(Portal.Data.PortalDbContext db) =>
        await db.Database.SqlQueryRaw<long>("SELECT COUNT(*)::bigint AS \"Value\" FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").SingleAsync(Ct);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            (DateTime.UtcNow < deadline).ShouldBeTrue("the first report never waited for the lock");
            await Task.Delay(20, Ct);
        }
    }

    private static object Snapshot(Finding f) =>
        (f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.InstalledVersion, f.FixedVersion, f.Severity, f.CvssScore, f.CvssVector, f.Status, f.Title,
            f.Target, f.PrimaryUrl, f.Sources, f.FirstSeen, f.ResolvedAt);
}
