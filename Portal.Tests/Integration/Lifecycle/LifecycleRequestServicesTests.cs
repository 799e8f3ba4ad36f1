using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>
/// EOL dates set by hand and extension requests over a real database (SQLite and PostgreSQL), and what the plan makes
/// of them: the seeded estate's alice owns alice-notebook on the curated jupyterlab-cpu v1.
/// </summary>
public sealed class LifecycleRequestServicesTests(PostgresServer postgres)
{
    private const string Admin = "admin@example.org";
    private static readonly DateTimeOffset Now = WorkloadComponentContext.Now;
    private static readonly Requester Alice = new("alice@example.org", "alice@example.org");
    private static readonly Requester Bob = new("bob@example.org", "bob@example.org");
    private static readonly Requester Approver = new("approver@example.org", "approver@example.org");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task AnEolSetByHandMakesTheImageVulnerableThenExpiredUntilClearedAndEveryChangeIsAudited(DatabaseKind kind)
    {
        await using var services = await Services.StartAsync(kind, postgres);
        var (database, ids) = (services.Database, services.Ids);

        (await services.Eols.SetAsync(ids.V1, new ManualEolInput(Now.AddDays(20), "vendor support ends"), Admin, Ct)).Succeeded.ShouldBeTrue();
        (await services.Eols.SetAsync(ids.V1, new ManualEolInput(Now.AddDays(10), "vendor support ends sooner"), Admin, Ct)).Succeeded.ShouldBeTrue();

        var v1 = (await services.Planner.PlanAsync(Ct)).Plan.Images.Single(i => i.ImageId == ids.V1);
        v1.State.ShouldBe(LifecycleState.Vulnerable);
        v1.Eol.ShouldBe(Now.AddDays(10));
        v1.ManualEolBy.ShouldBe(Admin);
        v1.Reason.ShouldBe("EOL 2026-12-02 set by admin@example.org.");
        (await services.Lifecycles.OfAsync([ids.V1], Ct))[ids.V1].ShouldBe(v1, "the lookup for one image says what the plan says");

        services.Clock.Advance(TimeSpan.FromDays(11));
        (await services.Planner.PlanAsync(Ct)).Plan.Images.Single(i => i.ImageId == ids.V1).State.ShouldBe(LifecycleState.Expired);
        (await services.Lifecycles.OfAsync([ids.V1], Ct))[ids.V1].State.ShouldBe(LifecycleState.Expired);

        (await services.Eols.ClearAsync(ids.V1, Admin, Ct)).Succeeded.ShouldBeTrue();
        (await services.Lifecycles.OfAsync([ids.V1], Ct))[ids.V1].State.ShouldBe(LifecycleState.Healthy);
        (await services.Eols.ClearAsync(ids.V1, Admin, Ct)).Missing.ShouldBeTrue("nothing left to clear");

        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.Where(e => e.Action.StartsWith("eol.")).OrderBy(e => e.Id).ToListAsync(Ct);
        audit.Select(e => e.Action).ShouldBe([AuditActions.EolSet, AuditActions.EolChanged, AuditActions.EolCleared]);
        audit[1].Subject.ShouldBe($"image aaw/jupyterlab-cpu@{WorkloadSeed.V1Digest}");
        audit[1].Before!.ShouldContain("EOL 2026-12-12 12:00 UTC");
        audit[1].After!.ShouldContain("vendor support ends sooner");
        audit[2].After.ShouldBeNull();
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task AGrantedExtensionPushesTheNotebooksStopBackToTheGrantedDay(DatabaseKind kind)
    {
        await using var services = await Services.StartAsync(kind, postgres);
        var (database, ids) = (services.Database, services.Ids);
        // Curated, Critical: 14 days grace, so expired 6 days ago.
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, firstSeen: Now.AddDays(-20));
        var notebook = await WorkloadAsync(database, "alice-notebook");
        (await services.Planner.PlanAsync(Ct)).Plan.Actions.ShouldContain(a => a.Kind == ActionKind.StopWorkload && a.WorkloadId == notebook);

        var asked = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "thesis due", Now.AddDays(30)), Alice, Ct);
        asked.Succeeded.ShouldBeTrue(string.Join(" ", asked.Errors));
        var granted = await services.Extensions.GrantAsync(asked.Id!.Value, new ExtensionGrant(Now.AddDays(14), "two weeks"), Approver, Ct);
        granted.Succeeded.ShouldBeTrue(string.Join(" ", granted.Errors));

        var plan = (await services.Planner.PlanAsync(Ct)).Plan;
        plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.StopWorkload && a.WorkloadId == notebook);
        plan.Images.Single(i => i.ImageId == ids.V1).State.ShouldBe(LifecycleState.Expired, "the image itself stays expired; only this notebook has more time");

        services.Clock.Advance(TimeSpan.FromDays(13));
        (await services.Planner.PlanAsync(Ct)).Plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.StopWorkload && a.WorkloadId == notebook);
        services.Clock.Advance(TimeSpan.FromDays(2));
        (await services.Planner.PlanAsync(Ct)).Plan.Actions.ShouldContain(a => a.Kind == ActionKind.StopWorkload && a.WorkloadId == notebook,
            "past the granted day the notebook is stopped");
    }

    [Fact]
    public async Task OnlyTheNamespacesOwnerAsksOnceForMoreTimeOnAnImageWithAnEolAndBadInputStoresNothing()
    {
        await using var services = await Services.StartAsync(DatabaseKind.Sqlite, postgres);
        var (database, ids) = (services.Database, services.Ids);
        var notebook = await WorkloadAsync(database, "alice-notebook");
        var shared = await WorkloadAsync(database, "shared-notebook");

        var noEol = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "why", Now.AddDays(30)), Alice, Ct);
        (await services.Eols.SetAsync(ids.V1, new ManualEolInput(Now.AddDays(10), "vendor support ends"), Admin, Ct)).Succeeded.ShouldBeTrue();
        var byBob = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "why", Now.AddDays(30)), Bob, Ct);
        var byContributor = await services.Extensions.RequestAsync(new ExtensionInput(shared, ids.V1, "why", Now.AddDays(30)), Alice, Ct);
        var notRun = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V2, "why", Now.AddDays(30)), Alice, Ct);
        var tooSoon = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, " ", Now.AddDays(5)), Alice, Ct);
        var unknown = await services.Extensions.RequestAsync(new ExtensionInput(999_999, ids.V1, "why", Now.AddDays(30)), Alice, Ct);

        noEol.Errors.ShouldBe([$"aaw/jupyterlab-cpu@{WorkloadSeed.V1Digest} has no EOL date; there is nothing to extend."]);
        byBob.Forbidden.ShouldBeTrue();
        byBob.Errors.ShouldBe(["Only an owner of namespace alice may ask for more time for alice/alice-notebook."]);
        byContributor.Forbidden.ShouldBeTrue("alice only contributes to team-shared; carol owns it");
        notRun.Errors.ShouldBe([$"alice/alice-notebook does not run image {ids.V2}."]);
        tooSoon.Errors.ShouldBe(["Say why the notebook needs the image for longer.", "The image's EOL is 2026-12-02 12:00 UTC; ask for a later date."]);
        unknown.Missing.ShouldBeTrue();
        await using (var db = database.CreateDbContext())
        {
            (await db.ExtensionRequests.AnyAsync(Ct)).ShouldBeFalse();
        }

        (await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "thesis due", Now.AddDays(30)), Alice, Ct)).Succeeded.ShouldBeTrue();
        var again = await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "still the thesis", Now.AddDays(40)), Alice, Ct);

        again.Errors.ShouldBe(["A request for more time for alice/alice-notebook on this image is already waiting (asked 2026-11-22 by alice@example.org)."]);
        (await services.Extensions.OwnedAsync("Alice@Example.org", [notebook, shared], Ct)).ShouldBe([notebook]);
        var mine = await services.Extensions.OfRequesterAsync(Alice.Name, Ct);
        mine.ShouldHaveSingleItem().Image.ShouldBe($"aaw/jupyterlab-cpu@{WorkloadSeed.V1Digest}");
        mine[0].Workload.ShouldBe("alice/alice-notebook");
    }

    [Fact]
    public async Task NobodyGrantsTheirOwnRequestOnlyTheRequesterWithdrawsAndEveryStepIsAudited()
    {
        await using var services = await Services.StartAsync(DatabaseKind.Sqlite, postgres);
        var (database, ids) = (services.Database, services.Ids);
        var notebook = await WorkloadAsync(database, "alice-notebook");
        await services.Eols.SetAsync(ids.V1, new ManualEolInput(Now.AddDays(10), "vendor support ends"), Admin, Ct);
        var first = (await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "thesis due", Now.AddDays(30)), Alice, Ct)).Id!.Value;

        var selfGrant = await services.Extensions.GrantAsync(first, new ExtensionGrant(null, null), Alice, Ct);
        var ownerGrant = await services.Extensions.GrantAsync(first, new ExtensionGrant(null, null), new Requester("alice.approver", "alice@example.org"), Ct);
        var tooLong = await services.Extensions.GrantAsync(first, new ExtensionGrant(Now.AddDays(40), null), Approver, Ct);
        var bobWithdraws = await services.Extensions.WithdrawAsync(first, Bob, Ct);
        var noNote = await services.Extensions.RefuseAsync(first, new ExtensionRefusal(""), Approver, Ct);

        selfGrant.Forbidden.ShouldBeTrue();
        selfGrant.Errors.ShouldBe([ExtensionRequest.TwoPersonRule]);
        ownerGrant.Forbidden.ShouldBeTrue("an approver who owns the namespace is not a second person either");
        tooLong.Errors.ShouldBe(["Grant at most what was asked for: until 2026-12-22 12:00 UTC."]);
        bobWithdraws.Forbidden.ShouldBeTrue();
        bobWithdraws.Errors.ShouldBe(["Only alice@example.org, who asked, may withdraw this request."]);
        noNote.Errors.ShouldBe(["Tell the owner why the extension is refused."]);
        (await services.Extensions.PendingAndRecentAsync(Ct)).ShouldHaveSingleItem().IsPending.ShouldBeTrue();

        (await services.Extensions.RefuseAsync(first, new ExtensionRefusal("v2 is ready, please move"), Approver, Ct)).Succeeded.ShouldBeTrue();
        (await services.Extensions.WithdrawAsync(first, Alice, Ct)).Errors.ShouldBe(["The request was already refused."]);
        var second = (await services.Extensions.RequestAsync(new ExtensionInput(notebook, ids.V1, "one more week", Now.AddDays(17)), Alice, Ct)).Id!.Value;
        (await services.Extensions.WithdrawAsync(second, Alice, Ct)).Succeeded.ShouldBeTrue();

        var listed = await services.Extensions.PendingAndRecentAsync(Ct);
        listed.Select(r => r.Status).ShouldBe([ExtensionStatus.Refused, ExtensionStatus.Withdrawn], ignoreOrder: true);
        listed.Single(r => r.Id == first).DecisionNote.ShouldBe("v2 is ready, please move");
        services.Clock.Advance(Portal.Features.Lifecycle.Extensions.RecentlyDecided + TimeSpan.FromDays(1));
        (await services.Extensions.PendingAndRecentAsync(Ct)).ShouldBeEmpty("decided long ago");
        (await services.Extensions.OfRequesterAsync(Alice.Name, Ct)).Count.ShouldBe(2, "the owner's history keeps everything");

        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.Where(e => e.Action.StartsWith("extension.")).OrderBy(e => e.Id).ToListAsync(Ct);
        audit.Select(e => e.Action).ShouldBe(
            [AuditActions.ExtensionRequested, AuditActions.ExtensionRefused, AuditActions.ExtensionRequested, AuditActions.ExtensionWithdrawn]);
        audit[1].Actor.ShouldBe(Approver.Name);
        audit[1].Subject.ShouldBe($"extension request {first} for alice/alice-notebook on aaw/jupyterlab-cpu@{WorkloadSeed.V1Digest}");
        audit[1].After!.ShouldContain("refused by approver@example.org: v2 is ready, please move");
    }

    private static async Task<long> WorkloadAsync(TestDatabase database, string name)
    {
        await using var db = database.CreateDbContext();
        return await db.Workloads.Where(w => w.Name == name).Select(w => w.Id).SingleAsync(Ct);
    }

    private sealed class Services : IAsyncDisposable
    {
        private Services(TestDatabase database, WorkloadSeed.Ids ids)
        {
            (Database, Ids) = (database, ids);
            var audit = new AuditLog(database, Clock);
            var policies = new LifecyclePolicies(database, audit, Clock);
            Lifecycles = new ImageLifecycles(database, policies, Clock);
            Planner = new LifecyclePlanner(database, policies, Clock);
            Eols = new ManualEols(database, audit, Clock);
            Extensions = new Extensions(database, policies, Lifecycles, audit, Clock);
        }

        public TestDatabase Database { get; }
        public WorkloadSeed.Ids Ids { get; }
        public FakeTimeProvider Clock { get; } = new(Now);
        public ImageLifecycles Lifecycles { get; }
        public LifecyclePlanner Planner { get; }
        public ManualEols Eols { get; }
        public Extensions Extensions { get; }

        /// <summary>The services over a new database holding the seeded estate.</summary>
        public static async Task<Services> StartAsync(DatabaseKind kind, PostgresServer postgres)
        {
            var database = await TestDatabase.CreateAsync(kind, postgres);
            return new Services(database, await WorkloadSeed.SeedAsync(database, Ct));
        }

        public ValueTask DisposeAsync() => Database.DisposeAsync();
    }
}
