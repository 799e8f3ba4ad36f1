using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Findings;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Findings;

/// <summary>The Findings page's query and impacted artifacts, with exceptions applied, on SQLite and PostgreSQL.</summary>
public sealed class FindingCatalogTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly string V1 = "sha256:" + new string('1', 64);
    private static readonly string Custom = "sha256:" + new string('2', 64);

    public static TheoryData<DatabaseKind> Databases => [DatabaseKind.Sqlite, DatabaseKind.Postgres];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReportedFinding Cve(string id, string package, Severity severity) =>
        new(FindingKind.Vulnerability, id, package, "1.0", "1.1", severity, null, null, "fixed", $"{id} in {package}", null, null);

    private static ScanReport Report(string digest, params ReportedFinding[] findings) =>
        new(ReportFormat.Trivy, "trivy", Now, [new ArtifactFindings(new ScannedArtifact(digest, null, null, digest), findings)]);

    /// <summary>Curated jupyterlab-cpu:v1 and a user's custom image share CVE-2023-0286; alice's notebook runs v1.</summary>
    private static async Task SeedAsync(TestDatabase database, FakeTimeProvider clock)
    {
        await using (var db = database.CreateDbContext())
        {
            var registry = ImageRegistry.Create("local", new Uri("http://127.0.0.1:5082"), null, null, null, true, 4, Now);
            db.Registries.Add(registry);
            await db.SaveChangesAsync(Ct);
            var cpu = ImageRepository.Discover(registry.Id, "aaw/jupyterlab-cpu", Now);
            var custom = ImageRepository.Discover(registry.Id, "users/alice/custom-notebook", Now);
            db.Repositories.AddRange(cpu, custom);
            await db.SaveChangesAsync(Ct);
            cpu.Override(ImageClass.Curated, "jupyterlab-cpu");
            var v1 = ImageManifest.Discover(cpu.Id, V1, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, null, Now, 1, new Dictionary<string, string>(), [], Now);
            var mine = ImageManifest.Discover(custom.Id, Custom, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, null, Now, 1, new Dictionary<string, string>(), [], Now);
            v1.Classify(new Classification(ImageClass.Curated, "jupyterlab-cpu", Channel.Prod, "override", null));
            db.Images.AddRange(v1, mine);
            await db.SaveChangesAsync(Ct);
            db.Tags.AddRange(ImageTag.Discover(cpu.Id, "v1", v1.Id, Now), ImageTag.Discover(custom.Id, "latest", mine.Id, Now));
            var notebook = Workload.Discover("prod", new ObservedWorkload(WorkloadKind.Notebook, "alice", "analysis", null, null, WorkloadLifetime.LongLived,
                WorkloadStatus.Running, Now, null,
                [new ObservedImageUse("analysis", ContainerType.Container, ContainerImage.Resolve("127.0.0.1:5082/aaw/jupyterlab-cpu:v1", $"127.0.0.1:5082/aaw/jupyterlab-cpu@{V1}"))]), Now);
            notebook.Images[0].LinkTo(v1.Id);
            db.Workloads.Add(notebook);
            db.NamespaceMembers.Add(NamespaceMember.From("prod", new ObservedNamespaceMember("alice", "alice@example.org", NamespaceRole.Owner, "Profile alice")));
            await db.SaveChangesAsync(Ct);
        }

        var ingestion = new FindingIngestion(database, clock);
        await ingestion.IngestAsync(Report(V1, Cve("CVE-2023-0286", "openssl", Severity.High), Cve("CVE-2022-1", "zlib", Severity.Low)), "api", null, Ct);
        await ingestion.IngestAsync(Report(Custom, Cve("CVE-2023-0286", "openssl", Severity.High), Cve("CVE-2024-9", "curl", Severity.Critical)), "api", null, Ct);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ListsOpenFindingsWorstFirstWithTheirImageAndException(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var exceptions = new FindingExceptions(database, new AuditLog(database, clock), Options.Create(new FindingsOptions()), clock);
        (await exceptions.RecordAsync(new ExceptionInput("CVE-2023-0286", "aaw/jupyterlab-cpu", null, null, ExceptionState.NotAffected,
            "not reachable", Now.AddDays(10)), "admin@example.org", Ct)).Succeeded.ShouldBeTrue();
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var all = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter()), Ct);
        var highUp = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(MinimumSeverity: Severity.High)), Ct);
        var curated = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Class: ImageClass.Curated)), Ct);
        var notExcepted = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Search: "cve-2023", Excepted: false)), Ct);
        var byRepository = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Search: "Custom-Notebook")), Ct);

        all.TotalCount.ShouldBe(4);
        all.TotalIsLowerBound.ShouldBeFalse();
        all.Items.Select(f => f.Severity).ShouldBe([Severity.Critical, Severity.High, Severity.High, Severity.Low]);
        all.Items.Single(f => f.Repository == "aaw/jupyterlab-cpu" && f.VulnerabilityId == "CVE-2023-0286").Exception.ShouldBe(ExceptionState.NotAffected);
        all.Items.Single(f => f.Repository == "users/alice/custom-notebook" && f.VulnerabilityId == "CVE-2023-0286").Exception.ShouldBeNull();
        highUp.TotalCount.ShouldBe(3);
        curated.Items.Select(f => f.Package).Order().ShouldBe(["openssl", "zlib"]);
        notExcepted.Items.ShouldHaveSingleItem().Repository.ShouldBe("users/alice/custom-notebook", "the search ignores case");
        byRepository.TotalCount.ShouldBe(2);

        clock.Advance(TimeSpan.FromDays(11));
        var later = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Excepted: true)), Ct);
        later.TotalCount.ShouldBe(0, "the exception expired by itself");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ASearchFindsADigestsFindingsByAnyRepositoryThatHoldsIt(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        await using (var db = database.CreateDbContext())
        {
            var registry = await db.Registries.SingleAsync(Ct);
            var mirror = ImageRepository.Discover(registry.Id, "mirrors/jupyterlab", Now);
            db.Repositories.Add(mirror);
            await db.SaveChangesAsync(Ct);
            db.Images.Add(ImageManifest.Discover(mirror.Id, V1, "application/vnd.oci.image.manifest.v1+json", ImageKind.Image, null, Now, 1,
                new Dictionary<string, string>(), [], Now));
            await db.SaveChangesAsync(Ct);
        }

        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var page = await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Search: "Mirrors/")), Ct);

        page.TotalCount.ShouldBe(2, "v1's two findings, each once, though v1 sits in two repositories");
        page.Items.Select(r => r.VulnerabilityId).Order().ShouldBe(["CVE-2022-1", "CVE-2023-0286"]);
        page.Items.ShouldAllBe(r => r.Digest == V1 && r.Repository == "aaw/jupyterlab-cpu", "a row names the digest's first repository");
        (await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Search: "mirrors/nothing")), Ct)).TotalCount.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ImpactedArtifactsGoFromTheVulnerabilityToImagesWorkloadsAndOwners(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var impacted = await catalog.ImpactedAsync("CVE-2023-0286", Ct);

        impacted.Images.Select(i => (i.Reference, string.Join(",", i.Tags))).ShouldBe(
        [
            ($"127.0.0.1:5082/aaw/jupyterlab-cpu@{V1}", "v1"),
            ($"127.0.0.1:5082/users/alice/custom-notebook@{Custom}", "latest"),
        ]);
        impacted.Workloads.ShouldHaveSingleItem().ShouldBe(new ImpactedWorkload("prod", "alice", "analysis", WorkloadKind.Notebook, WorkloadStatus.Running, "alice@example.org", V1));
        impacted.Owners.ShouldBe(["alice@example.org"]);
        (await catalog.ImpactedAsync("CVE-0000-0000", Ct)).Images.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task RowsNameTheImageAndHowLongTheLongestCoveringExceptionRuns(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var exceptions = Exceptions(database, clock);
        await RecordAsync(exceptions, new ExceptionInput("CVE-2023-0286", null, null, null, ExceptionState.RiskAccepted, "short", Now.AddDays(5)));
        await RecordAsync(exceptions, new ExceptionInput("CVE-2023-0286", null, V1, "openssl", ExceptionState.NotAffected, "long", Now.AddDays(40)));
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var rows = (await catalog.SearchAsync(new FindingPageRequest(new FindingFilter(Search: "CVE-2023-0286")), Ct)).Items;

        var v1 = rows.Single(r => r.Digest == V1);
        (v1.Exception, v1.ExceptedUntil).ShouldBe((ExceptionState.NotAffected, Now.AddDays(40)), "the longest-running of the two covering exceptions");
        v1.ImageId.ShouldNotBeNull();
        v1.Repository.ShouldBe("aaw/jupyterlab-cpu");
        v1.Title.ShouldBe("CVE-2023-0286 in openssl");
        var custom = rows.Single(r => r.Digest == Custom);
        (custom.Exception, custom.ExceptedUntil).ShouldBe((ExceptionState.RiskAccepted, Now.AddDays(5)), "only the unscoped exception covers it");
        custom.ImageId.ShouldNotBe(v1.ImageId);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task SortsByTheAskedFieldAndNarrowsToTheGivenDigests(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        async Task<string[]> Ids(FindingSortField field, bool descending, FindingFilter? filter = null) =>
            (await catalog.SearchAsync(new FindingPageRequest(filter ?? new FindingFilter(), SortBy: field, Descending: descending), Ct))
            .Items.Select(r => $"{r.VulnerabilityId}/{r.Package}").ToArray();

        (await Ids(FindingSortField.Package, descending: false)).ShouldBe(["CVE-2024-9/curl", "CVE-2023-0286/openssl", "CVE-2023-0286/openssl", "CVE-2022-1/zlib"]);
        (await Ids(FindingSortField.VulnerabilityId, descending: true)).ShouldBe(["CVE-2024-9/curl", "CVE-2023-0286/openssl", "CVE-2023-0286/openssl", "CVE-2022-1/zlib"]);
        (await Ids(FindingSortField.Severity, descending: false)).ShouldBe(["CVE-2022-1/zlib", "CVE-2023-0286/openssl", "CVE-2023-0286/openssl", "CVE-2024-9/curl"], "least severe first");
        (await Ids(FindingSortField.Severity, descending: true, new FindingFilter(Digests: [V1]))).ShouldBe(["CVE-2023-0286/openssl", "CVE-2022-1/zlib"]);
        (await Ids(FindingSortField.Severity, descending: true, new FindingFilter(Digests: []))).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task CountsExactlyUpToTheLimitPastThePagesStartAndALowerBoundBeyond(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        FindingCatalog Catalog(int countLimit) => new(database, Options.Create(new FindingsOptions { CountLimit = countLimit }), clock);

        var beyond = await Catalog(3).SearchAsync(new FindingPageRequest(new FindingFilter(), Take: 2), Ct);
        var atTheLimit = await Catalog(4).SearchAsync(new FindingPageRequest(new FindingFilter(), Take: 2), Ct);
        var filteredWithin = await Catalog(3).SearchAsync(new FindingPageRequest(new FindingFilter(MinimumSeverity: Severity.High), Take: 2), Ct);
        var furtherOn = await Catalog(1).SearchAsync(new FindingPageRequest(new FindingFilter(), Skip: 2, Take: 1), Ct);
        var lastPage = await Catalog(2).SearchAsync(new FindingPageRequest(new FindingFilter(), Skip: 2, Take: 2), Ct);
        var largerPage = await Catalog(1).SearchAsync(new FindingPageRequest(new FindingFilter(), Take: 4), Ct);

        (beyond.TotalCount, beyond.TotalIsLowerBound).ShouldBe((4, true), "4 of the 4 open findings counted, one past the limit of 3: more than 3");
        beyond.Items.Count.ShouldBe(2);
        (atTheLimit.TotalCount, atTheLimit.TotalIsLowerBound).ShouldBe((4, false), "all 4 fit under the limit: an exact count");
        (filteredWithin.TotalCount, filteredWithin.TotalIsLowerBound).ShouldBe((3, false), "3 High and up, and the limit is 3");
        (furtherOn.TotalCount, furtherOn.TotalIsLowerBound).ShouldBe((4, true), "counted on from the page's start: 2 + 1, and one more");
        (lastPage.TotalCount, lastPage.TotalIsLowerBound).ShouldBe((4, false), "the limit runs from the page's start, past the last finding");
        lastPage.Items.Count.ShouldBe(2);
        (largerPage.TotalCount, largerPage.TotalIsLowerBound).ShouldBe((4, false), "a count never stops inside the page it comes with");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task TheCountReadsOnlyTheLookupsItsFiltersNeed(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var commands = new CommandRecorder();
        var catalog = new FindingCatalog(new RecordingContexts(database, commands), Options.Create(new FindingsOptions { CountLimit = 2 }), clock);

        async Task<(FindingPage Page, string Count)> SearchRecordingTheCountAsync(FindingFilter filter)
        {
            commands.Clear();
            var page = await catalog.SearchAsync(new FindingPageRequest(filter, Take: 1), Ct);
            return (page, commands.Texts.Single(t => t.Contains("COUNT(", StringComparison.OrdinalIgnoreCase)));
        }

        var (all, allCount) = await SearchRecordingTheCountAsync(new FindingFilter());
        var (curated, curatedCount) = await SearchRecordingTheCountAsync(new FindingFilter(Class: ImageClass.Curated));
        var (notExcepted, notExceptedCount) = await SearchRecordingTheCountAsync(new FindingFilter(Excepted: false));

        (all.TotalCount, all.TotalIsLowerBound).ShouldBe((3, true));
        allCount.ShouldNotContain("images", Case.Insensitive, $"no filter reads the image lookups; the count was:\n{allCount}");
        allCount.ShouldNotContain("finding_exceptions", Case.Insensitive, $"no filter reads the exception lookup; the count was:\n{allCount}");
        (curated.TotalCount, curated.TotalIsLowerBound).ShouldBe((2, false));
        curatedCount.ShouldContain("images", Case.Insensitive);
        curatedCount.ShouldNotContain("finding_exceptions", Case.Insensitive, $"the class filter reads no exception; the count was:\n{curatedCount}");
        (notExcepted.TotalCount, notExcepted.TotalIsLowerBound).ShouldBe((3, true));
        notExceptedCount.ShouldContain("finding_exceptions", Case.Insensitive);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task CountsAnImagesOpenFindingsPerSeverityWithTheExceptedOnesApart(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        await RecordAsync(Exceptions(database, clock),
            new ExceptionInput("CVE-2024-9", "users/alice/custom-notebook", null, "curl", ExceptionState.FalsePositive, "not curl", Now.AddDays(3)));
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var custom = await catalog.CountOpenAsync([Custom], Ct);
        var both = await catalog.CountOpenAsync([V1, Custom], Ct);
        clock.Advance(TimeSpan.FromDays(4));
        var afterExpiry = await catalog.CountOpenAsync([Custom], Ct);

        custom.ShouldBe(new SeverityCounts(Critical: 0, High: 1, Medium: 0, Low: 0, Unknown: 0, Excepted: 1));
        both.ShouldBe(new SeverityCounts(Critical: 0, High: 2, Medium: 0, Low: 1, Unknown: 0, Excepted: 1));
        afterExpiry.ShouldBe(new SeverityCounts(Critical: 1, High: 1, Medium: 0, Low: 0, Unknown: 0, Excepted: 0), "the exception expired");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ImpactedImagesListTheirPackagesAndTheExceptionsCoveringEach(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var clock = new FakeTimeProvider(Now);
        await SeedAsync(database, clock);
        var unknown = "sha256:" + new string('9', 64);
        // The same CVE in two packages of v1, and in a digest the inventory does not hold.
        var ingestion = new FindingIngestion(database, clock);
        await ingestion.IngestAsync(Report(V1, Cve("CVE-2023-0286", "openssl", Severity.High), Cve("CVE-2023-0286", "libssl3", Severity.Critical),
            Cve("CVE-2022-1", "zlib", Severity.Low)), "api", null, Ct);
        await ingestion.IngestAsync(Report(unknown, Cve("CVE-2023-0286", "openssl", Severity.High)), "api", null, Ct);
        await RecordAsync(Exceptions(database, clock),
            new ExceptionInput("CVE-2023-0286", "aaw/jupyterlab-cpu", null, "openssl", ExceptionState.NotAffected, "unreachable", Now.AddDays(20)));
        var catalog = new FindingCatalog(database, Options.Create(new FindingsOptions()), clock);

        var impacted = await catalog.ImpactedAsync(" CVE-2023-0286 ", Ct);

        impacted.VulnerabilityId.ShouldBe("CVE-2023-0286");
        impacted.Images.Select(i => i.Reference).ShouldBe(
            [$"127.0.0.1:5082/aaw/jupyterlab-cpu@{V1}", $"127.0.0.1:5082/users/alice/custom-notebook@{Custom}", unknown],
            "inventory images by reference, then the digests the inventory does not hold");
        var v1 = impacted.Images[0];
        v1.TagReferences.ShouldBe(["127.0.0.1:5082/aaw/jupyterlab-cpu:v1"]);
        v1.Class.ShouldBe(ImageClass.Curated);
        v1.Packages.Select(p => (p.Package, p.Severity, p.Exception, p.ExceptedUntil)).ShouldBe(
        [
            ("libssl3", Severity.Critical, (ExceptionState?)null, (DateTimeOffset?)null),
            ("openssl", Severity.High, ExceptionState.NotAffected, Now.AddDays(20)),
        ], "worst first; the exception names openssl only");
        v1.Excepted.ShouldBeFalse("libssl3 is not covered");
        impacted.Images[1].Excepted.ShouldBeFalse("the exception is scoped to another repository");
        var notInInventory = impacted.Images[2];
        (notInInventory.ImageId, notInInventory.Repository, notInInventory.Class).ShouldBe((null, null, null));
        notInInventory.Excepted.ShouldBeFalse("a repository scope cannot cover a digest the inventory does not place in it");
        impacted.Summary.ShouldBe(new VulnerabilitySummary(Severity.Critical, null, "CVE-2023-0286 in libssl3", null, FindingKind.Vulnerability, 4, 0));

        await RecordAsync(Exceptions(database, clock),
            new ExceptionInput("CVE-2023-0286", null, V1, null, ExceptionState.RiskAccepted, "patched soon", Now.AddDays(10)));
        (await catalog.ImpactedAsync("CVE-2023-0286", Ct)).Images[0].Excepted.ShouldBeTrue("every package of v1 is covered now");
        (await catalog.ImpactedAsync("CVE-0000-0000", Ct)).Summary.ShouldBeNull();
    }

    /// <summary>Contexts of the test database with <see cref="CommandRecorder"/> attached.</summary>
    private sealed class RecordingContexts(TestDatabase database, CommandRecorder commands) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext()
        {
            using var plain = database.CreateDbContext();
            var connectionString = plain.Database.GetConnectionString()!;
            return plain.Database.IsNpgsql()
                ? new PostgresPortalDbContext(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connectionString).AddInterceptors(commands).Options)
                : new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(connectionString).AddInterceptors(commands).Options);
        }
    }

    /// <summary>The SQL of every query the catalog runs.</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        private readonly List<string> _texts = [];

        public IReadOnlyList<string> Texts => _texts;

        public void Clear() => _texts.Clear();

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            _texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    private static FindingExceptions Exceptions(TestDatabase database, FakeTimeProvider clock) =>
        new(database, new AuditLog(database, clock), Options.Create(new FindingsOptions()), clock);

    private static async Task RecordAsync(FindingExceptions exceptions, ExceptionInput input)
    {
        var result = await exceptions.RecordAsync(input, "admin@example.org", Ct);
        result.Succeeded.ShouldBeTrue(string.Join(" ", result.Errors));
    }
}
