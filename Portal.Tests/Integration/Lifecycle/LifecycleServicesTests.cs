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
/// Policies, holds and the plan over a real database (SQLite and PostgreSQL): the seeded estate's notebook on a
/// vulnerable curated image, held and released.
/// </summary>
public sealed class LifecycleServicesTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = WorkloadComponentContext.Now;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task APlanFromTheDatabaseStopsTheNotebookOnAnExpiredImageUntilAHoldPausesIt(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        await AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, firstSeen: Now.AddDays(-20));
        await AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Low, firstSeen: Now.AddDays(-300), id: "CVE-LOW");
        var (policies, holds, planner) = Services(database);

        var result = await planner.PlanAsync(Ct);

        result.Policy.Version.ShouldBe(0, "nothing saved yet: the defaults");
        var v1 = result.Plan.Images.Single(i => i.ImageId == ids.V1);
        v1.State.ShouldBe(LifecycleState.Expired);
        v1.Eol.ShouldBe(Now.AddDays(-6), "Curated, Critical: 14 days after first detection");
        v1.BlockingFindings.ShouldBe(1);
        result.Snapshot.Findings.ShouldHaveSingleItem("the Low finding cannot block, so it is not even read");
        var stop = result.Plan.Actions.Single(a => a.Kind == ActionKind.StopWorkload);
        stop.Reason.ShouldStartWith("Notebook alice/alice-notebook runs aaw/jupyterlab-cpu, past its EOL of 2026-11-16.");
        // The running and the stopped notebook's owners.
        result.Plan.Actions.Where(a => a.Kind == ActionKind.NotifyOwner).Select(a => a.Owner).Order()
            .ShouldBe(["alice@example.org", "carol@example.org"]);

        var placed = await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Image, ids.V1, HoldScope.Termination, "exam week", Now.AddDays(7)),
            "approver@example.org", Ct);
        placed.Succeeded.ShouldBeTrue(string.Join(" ", placed.Errors));

        var held = (await planner.PlanAsync(Ct)).Plan;
        held.Actions.ShouldNotContain(a => a.Kind == ActionKind.StopWorkload);
        held.Kept.Single(k => k.Kind == ActionKind.StopWorkload).Reason
            .ShouldBe("stop skipped: hold until 2026-11-29 by approver@example.org: exam week");
        held.Images.Single(i => i.ImageId == ids.V1).State.ShouldBe(LifecycleState.Held);

        (await holds.LiftAsync(placed.Id!.Value, "approver@example.org", Ct)).Succeeded.ShouldBeTrue();
        (await planner.PlanAsync(Ct)).Plan.Actions.ShouldContain(a => a.Kind == ActionKind.StopWorkload);

        await using var db = database.CreateDbContext();
        (await db.AuditEntries.Where(e => e.Action.StartsWith("hold.")).Select(e => e.Action).ToListAsync(Ct))
            .ShouldBe([AuditActions.HoldPlaced, AuditActions.HoldLifted], ignoreOrder: true);
    }

    [Fact]
    public async Task AHoldNeedsAReasonAKnownSubjectAndAnEndWithinPolicy()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        var (_, holds, _) = Services(database);

        var refused = await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Image, ids.V1, HoldScope.Both, " ", Now.AddDays(91)), "approver@example.org", Ct);
        var unknown = await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Workload, 999_999, HoldScope.Both, "why", Now.AddDays(1)), "approver@example.org", Ct);

        refused.Errors.ShouldBe(["A hold needs a reason.", "A hold lasts at most 90 days (until 2027-02-20)."]);
        unknown.Errors.ShouldBe(["There is no workload 999999."]);
        await using var db = database.CreateDbContext();
        (await db.Holds.AnyAsync(Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task AHoldIsExtendedOnlyForwardAndWithinPolicyAndEveryChangeIsAudited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        var (_, holds, _) = Services(database);
        var placed = await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Repository, 1, HoldScope.Deletion, "audit of the registry", Now.AddDays(10)),
            "approver@example.org", Ct);

        (await holds.ExtendAsync(placed.Id!.Value, Now.AddDays(5), "approver@example.org", Ct)).Errors
            .ShouldBe(["An extension ends after the current end (2026-12-02 12:00 UTC)."]);
        (await holds.ExtendAsync(placed.Id!.Value, Now.AddDays(30), "approver@example.org", Ct)).Succeeded.ShouldBeTrue();

        var hold = (await holds.ListAsync(activeOnly: true, Ct)).Single();
        hold.Until.ShouldBe(Now.AddDays(30));
        hold.Subject.ShouldBe("aaw/jupyterlab-cpu");
        await using var db = database.CreateDbContext();
        var extended = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.HoldExtended, Ct);
        extended.Before!.ShouldContain("until 2026-12-02");
        extended.After!.ShouldContain("until 2026-12-22");
        ids.V1.ShouldBePositive();
    }

    [Fact]
    public async Task APolicyIsSavedAsANewVersionOnlyWhenValidAndNotChangedMeanwhile()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var (policies, _, _) = Services(database);
        var current = await policies.CurrentAsync(Ct);

        var invalid = await policies.SaveAsync(current with { ReminderDays = [0] }, "admin@example.org", Ct);
        var saved = await policies.SaveAsync(current with { ReminderDays = [10, 3], MigrateWithoutChoice = true }, "admin@example.org", Ct);
        var stale = await policies.SaveAsync(current with { ReminderDays = [5] }, "other-admin@example.org", Ct);

        invalid.Errors.ShouldBe(["Reminder days are between 1 and 365 days before EOL."]);
        saved.Version.ShouldBe(1);
        stale.Succeeded.ShouldBeFalse();
        stale.Errors.Single().ShouldContain("changed by admin@example.org (now version 1)");
        var reloaded = await policies.CurrentAsync(Ct);
        reloaded.Version.ShouldBe(1);
        reloaded.ReminderDays.ShouldBe([10, 3]);
        reloaded.MigrateWithoutChoice.ShouldBeTrue();
        reloaded.For(Portal.Core.Inventory.ImageClass.Platform).StopsWorkloads.ShouldBeFalse();
        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.PolicyChanged, Ct);
        audit.Subject.ShouldBe("policy version 1");
        audit.After!.ShouldContain("\"ReminderDays\":[10,3]");
    }

    private static (LifecyclePolicies Policies, Holds Holds, LifecyclePlanner Planner) Services(TestDatabase database)
    {
        var clock = new FakeTimeProvider(Now);
        var audit = new AuditLog(database, clock);
        var policies = new LifecyclePolicies(database, audit, clock);
        return (policies, new Holds(database, policies, audit, clock), new LifecyclePlanner(database, policies, clock));
    }

    private static async Task AddFindingAsync(TestDatabase database, string digest, Severity severity, DateTimeOffset firstSeen, string id = "CVE-2026-0001")
    {
        await using var db = database.CreateDbContext();
        db.Findings.Add(Finding.Discover(digest,
            new ReportedFinding(FindingKind.Vulnerability, id, "openssl", "3.0.1", "3.0.2", severity, 9.8, null, "fixed", "a flaw", "debian", null),
            "Trivy", firstSeen));
        await db.SaveChangesAsync(Ct);
    }
}
