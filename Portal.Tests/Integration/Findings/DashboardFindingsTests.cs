using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Features.Audit;
using Portal.Features.Dashboard;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>The dashboard's findings figures: open findings per day and severity, and the most vulnerable images in use.</summary>
public sealed class DashboardFindingsTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string DigestOf(char c) => "sha256:" + new string(c, 64);

    private static ReportedFinding Cve(string id, string package, Severity severity) =>
        new(FindingKind.Vulnerability, id, package, "1.0", null, severity, null, null, null, null, null, null);

    private static ScanReport Report(string digest, params ReportedFinding[] findings) =>
        new(ReportFormat.Trivy, "trivy", Now, [new ArtifactFindings(new ScannedArtifact(digest, null, null, digest), findings)]);

    private static FindingExceptions Exceptions(TestDatabase database, TimeProvider clock) =>
        new(database, new AuditLog(database, clock), Options.Create(new FindingsOptions()), clock);

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task TrendCountsWhatWasOpenAtTheEndOfEachDayLeavingOutWhatAnExceptionCoveredThen(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now.AddDays(-40));
        var ingestion = new FindingIngestion(database, clock);
        var exceptions = Exceptions(database, clock);
        var image = DigestOf('a');
        var old = DigestOf('b');

        // Before the window: a Medium that stays open throughout.
        await ingestion.IngestAsync(Report(old, Cve("CVE-OLD", "tar", Severity.Medium)), "api", null, Ct);
        // 12 Nov: a High and a Low.
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 12, 12, 0, 0, TimeSpan.Zero));
        await ingestion.IngestAsync(Report(image, Cve("CVE-A", "bash", Severity.High), Cve("CVE-B", "zlib", Severity.Low)), "api", null, Ct);
        // 15 Nov: the Low is fixed (the report no longer lists it), a Critical appears.
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 15, 12, 0, 0, TimeSpan.Zero));
        await ingestion.IngestAsync(Report(image, Cve("CVE-A", "bash", Severity.High), Cve("CVE-C", "curl", Severity.Critical)), "api", null, Ct);
        // 16 Nov: the High is excepted, and the exception is revoked the next day.
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 16, 12, 0, 0, TimeSpan.Zero));
        var revoked = await exceptions.RecordAsync(new ExceptionInput("CVE-A", null, image, null, ExceptionState.NotAffected, "n/a", Now.AddDays(30)), "admin", Ct);
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 17, 12, 0, 0, TimeSpan.Zero));
        (await exceptions.RevokeAsync(revoked.Id!.Value, "admin", Ct)).ShouldBeTrue();
        // 18 Nov: the Critical's risk is accepted until noon on 20 Nov.
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 18, 12, 0, 0, TimeSpan.Zero));
        (await exceptions.RecordAsync(new ExceptionInput("CVE-C", null, null, "curl", ExceptionState.RiskAccepted, "fix on the way",
            new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero)), "admin", Ct)).Succeeded.ShouldBeTrue();
        clock.SetUtcNow(Now);

        var trend = await new DashboardSummary(database, clock).FindingTrendAsync(Ct);

        trend.Count.ShouldBe(DashboardSummary.FindingTrendDays);
        trend[0].Day.ShouldBe(new DateOnly(2026, 10, 24));
        trend[^1].Day.ShouldBe(new DateOnly(2026, 11, 22));
        string Day(int day, int month = 11)
        {
            var counts = trend.Single(t => t.Day == new DateOnly(2026, month, day));
            return $"C{counts.Critical} H{counts.High} M{counts.Medium} L{counts.Low} U{counts.Unknown}";
        }

        Day(24, 10).ShouldBe("C0 H0 M1 L0 U0", "only the finding first seen before the window");
        Day(11).ShouldBe("C0 H0 M1 L0 U0");
        Day(12).ShouldBe("C0 H1 M1 L1 U0", "first seen at noon, open at the end of the day");
        Day(14).ShouldBe("C0 H1 M1 L1 U0");
        Day(15).ShouldBe("C1 H1 M1 L0 U0", "the Low resolved, the Critical new");
        Day(16).ShouldBe("C1 H0 M1 L0 U0", "the High was excepted at the end of the day");
        Day(17).ShouldBe("C1 H1 M1 L0 U0", "its exception was revoked");
        Day(18).ShouldBe("C0 H1 M1 L0 U0", "the Critical's risk accepted");
        Day(19).ShouldBe("C0 H1 M1 L0 U0");
        Day(20).ShouldBe("C1 H1 M1 L0 U0", "the acceptance expired at noon");
        Day(22).ShouldBe("C1 H1 M1 L0 U0");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task MostVulnerableImagesInUseAreRankedByCriticalThenHighWithoutExceptedFindings(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        var ids = await SeedImagesAndWorkloadsAsync(database);
        var ingestion = new FindingIngestion(database, clock);
        // In use: "excepted" has two Criticals, one of them excepted, and two Highs; "critical" two Criticals; the index's
        // amd64 image one Critical, reported for the platform's digest; "fixed" had a Critical that is resolved.
        // Not in use: "unused" has five Criticals; "gone" is run only by a workload that is gone.
        await ingestion.IngestAsync(Report(DigestOf('e'), Cve("CVE-1", "a", Severity.Critical), Cve("CVE-2", "b", Severity.Critical),
            Cve("CVE-3", "c", Severity.High), Cve("CVE-4", "d", Severity.High)), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('c'), Cve("CVE-1", "a", Severity.Critical), Cve("CVE-5", "e", Severity.Critical),
            Cve("CVE-6", "f", Severity.Low)), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('2'), Cve("CVE-7", "g", Severity.Critical), Cve("CVE-8", "h", Severity.Medium)), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('f'), Cve("CVE-9", "i", Severity.Critical)), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('f')), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('u'), Enumerable.Range(1, 5).Select(i => Cve($"CVE-U{i}", "u", Severity.Critical)).ToArray()), "api", null, Ct);
        await ingestion.IngestAsync(Report(DigestOf('g'), Cve("CVE-G", "g", Severity.Critical)), "api", null, Ct);
        (await Exceptions(database, clock).RecordAsync(new ExceptionInput("CVE-2", "team/excepted", null, null, ExceptionState.NotAffected,
            "not reachable", Now.AddDays(10)), "admin", Ct)).Succeeded.ShouldBeTrue();

        var ranked = await new DashboardSummary(database, clock).MostVulnerableImagesInUseAsync(Ct);

        ranked.Select(r => (r.Repository, r.Critical, r.High, r.Open, r.Workloads)).ShouldBe(
        [
            ("team/critical", 2, 0, 3, 1),
            ("team/excepted", 1, 2, 3, 2),
            ("team/multi-arch", 1, 0, 2, 1),
        ]);
        ranked.Select(r => r.ImageId).ShouldBe([ids["critical"], ids["excepted"], ids["multi-arch"]], "the index, not its platform image, is the image");
        ranked[0].Tags.ShouldBe(["v1"]);
        ranked[0].Class.ShouldBe(ImageClass.User);
    }

    /// <summary>
    /// Images "excepted" (digest e, two workloads), "critical" (c), "multi-arch" (an index, digest 1, whose amd64 image,
    /// digest 2, a workload runs), "fixed" (f), "unused" (u, no workload) and "gone" (g, only a gone workload).
    /// </summary>
    private static async Task<Dictionary<string, long>> SeedImagesAndWorkloadsAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, null, true, 4, Now);
        db.Registries.Add(registry);
        await db.SaveChangesAsync(Ct);
        string[] names = ["excepted", "critical", "multi-arch", "fixed", "unused", "gone"];
        var repositories = names.ToDictionary(n => n, n => ImageRepository.Discover(registry.Id, $"team/{n}", Now));
        db.Repositories.AddRange(repositories.Values);
        await db.SaveChangesAsync(Ct);

        ImageManifest Image(string name, char digest, ImageKind kind = ImageKind.Image)
        {
            var image = ImageManifest.Discover(repositories[name].Id, DigestOf(digest), "application/vnd.oci.image.manifest.v1+json", kind, null, Now, 1,
                new Dictionary<string, string>(), [], Now);
            image.Classify(new Classification(ImageClass.User, null, Channel.Prod, "no rule matched", null));
            return image;
        }

        var images = new Dictionary<string, ImageManifest>
        {
            ["excepted"] = Image("excepted", 'e'),
            ["critical"] = Image("critical", 'c'),
            ["multi-arch"] = Image("multi-arch", '1', ImageKind.Index),
            ["fixed"] = Image("fixed", 'f'),
            ["unused"] = Image("unused", 'u'),
            ["gone"] = Image("gone", 'g'),
        };
        db.Images.AddRange(images.Values);
        await db.SaveChangesAsync(Ct);
        var amd64 = Image("multi-arch", '2');
        amd64.AttachTo(images["multi-arch"]);
        db.Images.Add(amd64);
        db.Tags.AddRange(images.Select(i => ImageTag.Discover(repositories[i.Key].Id, "v1", i.Value.Id, Now)));
        await db.SaveChangesAsync(Ct);

        Workload Running(string name, ImageManifest image, int replica = 0)
        {
            var reference = $"127.0.0.1:5082/team/{name}:v1";
            var workload = Workload.Discover("prod", new ObservedWorkload(WorkloadKind.Pod, "team", $"{name}-{replica}", null, null,
                WorkloadLifetime.LongLived, WorkloadStatus.Running, Now, null,
                [new ObservedImageUse("main", ContainerType.Container, ContainerImage.Resolve(reference, $"127.0.0.1:5082/team/{name}@{image.Digest}"))]), Now);
            workload.Images[0].LinkTo(image.Id);
            return workload;
        }

        var gone = Running("gone", images["gone"]);
        gone.MarkGone(Now.AddDays(-1));
        db.Workloads.AddRange(
            Running("excepted", images["excepted"]), Running("excepted", images["excepted"], replica: 1),
            Running("critical", images["critical"]), Running("multi-arch", amd64), Running("fixed", images["fixed"]), gone);
        await db.SaveChangesAsync(Ct);
        return images.ToDictionary(i => i.Key, i => i.Value.Id);
    }
}
