using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Core.Inventory;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>Reports merge into one deduplicated set of findings per digest, with history, on SQLite and PostgreSQL.</summary>
public sealed class FindingIngestionTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "sha256:" + new string('d', 64);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScanReport Fixture(string folder, string file) =>
        ScanReportReader.Read(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, file)), null, new ScanReportReaderOptions());

    private static ReportedFinding Cve(string id, Severity severity) =>
        new(FindingKind.Vulnerability, id, "openssl", "1.1.1k", "1.1.1l", severity, null, null, "fixed", null, null, null);

    private static ScanReport Report(ReportFormat format, params ReportedFinding[] findings) =>
        new(format, "test", Now, [new ArtifactFindings(new ScannedArtifact(Digest, null, null, "test"), findings)]);

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
}
