using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;
using Portal.Features.Migrations;
using Portal.Features.Notifications;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Lifecycle;

/// <summary>
/// Migration paths over a real database: the seeded track aaw/jupyterlab-cpu (v1 run by alice's notebook, v2 newer and
/// clean), a blocking finding on v1 that gives it an EOL, proposals, approval, owners' choices and revocation.
/// </summary>
public sealed class MigrationPathsTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = WorkloadComponentContext.Now;
    private static readonly string V2Digest = "sha256:" + new string('2', 64);
    private static readonly Requester Alice = new("alice", "alice@example.org");
    private static readonly Requester Bob = new("bob", "bob@example.org");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task TheNewestCleanReleaseIsProposedAndOnceApprovedAnOwnersChoiceToMigrateIsPlanned(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-20));
        var (paths, choices, planner) = Services(database);

        var first = await paths.RefreshAsync(Ct);
        var again = await paths.RefreshAsync(Ct);

        first.Proposed.ShouldBe(1);
        again.Proposed.ShouldBe(0, "a waiting proposal is not proposed twice");
        var path = (await paths.ListAsync(Ct)).ShouldHaveSingleItem();
        path.Path.State.ShouldBe(MigrationPathState.Proposed);
        path.Path.FromImageId.ShouldBe(ids.V1);
        path.Path.ToImageId.ShouldBe(ids.V2);
        path.Path.From.ShouldBe("aaw/jupyterlab-cpu:v1@sha256:111111111111");
        path.Path.To.ShouldBe("aaw/jupyterlab-cpu:v2@sha256:222222222222");
        path.Path.Why.ShouldBe("Newest Prod release on track jupyterlab-cpu without blocking findings: 2.0.0 after 1.0.0.");
        path.Difference.Fixed.ShouldBe(new Dictionary<Severity, int> { [Severity.Critical] = 1 });
        path.Difference.AddedCount.ShouldBe(0);
        path.Users.ShouldBe(2, "alice's running notebook and the stopped shared one run v1");
        (await choices.OffersAsync([WorkloadId(database, "alice-notebook")], Ct)).ShouldBeEmpty("owners see only approved paths");

        (await paths.ApproveAsync(path.Path.Id, "admin", Ct)).Succeeded.ShouldBeTrue();
        (await paths.ApproveAsync(path.Path.Id, "admin", Ct)).Errors.ShouldBe(["The path is already approved."]);
        (await planner.PlanAsync(Ct)).Plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.MigrateWorkload,
            "nobody chose yet and the policy migrates only those who did");

        var notebook = WorkloadId(database, "alice-notebook");
        var offer = (await choices.OffersAsync([notebook], Ct)).Values.ShouldHaveSingleItem();
        offer.Path.To.ShouldBe("aaw/jupyterlab-cpu:v2@sha256:222222222222");
        offer.CanMigrate.ShouldBeTrue();
        var byBob = await choices.ChooseAsync(new MigrationChoiceInput(notebook, ids.V1, Migrate: true), Bob, Ct);
        byBob.Forbidden.ShouldBeTrue();
        byBob.Errors.ShouldBe(["Only an owner of namespace alice may choose for alice/alice-notebook."]);
        (await choices.ChooseAsync(new MigrationChoiceInput(notebook, ids.V1, Migrate: true), Alice, Ct)).Succeeded.ShouldBeTrue();

        var migrate = (await planner.PlanAsync(Ct)).Plan.Actions.Where(a => a.Kind == ActionKind.MigrateWorkload).ShouldHaveSingleItem();
        migrate.WorkloadId.ShouldBe(notebook);
        migrate.TargetImageId.ShouldBe(ids.V2);
        migrate.MigrationPathId.ShouldBe(path.Path.Id);
        migrate.Reason.ShouldEndWith("(its owner chose it).");

        (await choices.ChooseAsync(new MigrationChoiceInput(notebook, ids.V1, Migrate: false), Alice, Ct)).Succeeded.ShouldBeTrue();
        (await planner.PlanAsync(Ct)).Plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.MigrateWorkload, "the latest answer stands");
        (await paths.ListAsync(Ct)).Single().ChoseNewNotebook.ShouldBe(1);

        await using var db = database.CreateDbContext();
        (await db.MigrationChoices.CountAsync(Ct)).ShouldBe(1);
        (await db.AuditEntries.Where(e => e.Action.StartsWith("migration.")).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct))
            .ShouldBe([AuditActions.MigrationProposed, AuditActions.MigrationApproved, AuditActions.MigrationChosen, AuditActions.MigrationChosen]);
    }

    [Fact]
    public async Task AnApprovedPathWhoseTargetGainsABlockingFindingIsRevokedByItselfAndNothingMovesOntoIt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-20));
        var (paths, choices, planner) = Services(database);
        await paths.RefreshAsync(Ct);
        var id = (await paths.ListAsync(Ct)).Single().Path.Id;
        await paths.ApproveAsync(id, "admin", Ct);
        await choices.ChooseAsync(new MigrationChoiceInput(WorkloadId(database, "alice-notebook"), ids.V1, Migrate: true), Alice, Ct);

        await LifecycleServicesTests.AddFindingAsync(database, V2Digest, Severity.High, Now.AddDays(-1), id: "CVE-2026-4242");
        var refresh = await paths.RefreshAsync(Ct);

        refresh.Revoked.ShouldBe(1);
        refresh.RevokedApproved.ShouldHaveSingleItem().Id.ShouldBe(id);
        refresh.Proposed.ShouldBe(0, "the track has no other clean release");
        var revoked = (await paths.ListAsync(Ct)).Single().Path;
        revoked.State.ShouldBe(MigrationPathState.Revoked);
        revoked.RevokedBy.ShouldBe(MigrationPath.PortalActor);
        revoked.RevokeReason.ShouldStartWith("The target aaw/jupyterlab-cpu:v2@sha256:222222222222 is no longer fit: CVE-2026-4242 (High) in openssl");
        (await planner.PlanAsync(Ct)).Plan.Actions.ShouldNotContain(a => a.Kind == ActionKind.MigrateWorkload);
        (await choices.OffersAsync([WorkloadId(database, "alice-notebook")], Ct)).ShouldBeEmpty();
        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.MigrationRevoked, Ct);
        audit.ActorKind.ShouldBe(AuditActorKind.Job);
        audit.Before.ShouldBe("Approved");
        var alert = (await db.OutgoingMessages.ToListAsync(Ct)).ShouldHaveSingleItem("admins are told once");
        alert.Recipient.ShouldBe("admin@example.org");
        alert.Subject.ShouldContain("Migration path revoked: aaw/jupyterlab-cpu:v1@sha256:111111111111 to aaw/jupyterlab-cpu:v2@sha256:222222222222");
        alert.Body.ShouldContain("CVE-2026-4242");
        alert.Body.ShouldContain("https://images.example.com/migrations");
        (await paths.RefreshAsync(Ct)).Revoked.ShouldBe(0);
        (await db.OutgoingMessages.CountAsync(Ct)).ShouldBe(1, "a revoked path is not revoked, nor told, twice");
    }

    [Fact]
    public async Task AnAdminRevokesWithAReasonAndTheSamePathIsNotProposedAgain()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await WorkloadSeed.SeedAsync(database, Ct);
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-20));
        await LifecycleServicesTests.AddFindingAsync(database, V2Digest, Severity.Low, Now.AddDays(-2), id: "CVE-2026-0002");
        var (paths, _, _) = Services(database);
        await paths.RefreshAsync(Ct);
        var view = (await paths.ListAsync(Ct)).Single();
        view.Difference.Added.ShouldBe(new Dictionary<Severity, int> { [Severity.Low] = 1 }, "a Low finding does not block, but it is shown");
        view.Difference.Changes.Select(c => (c.VulnerabilityId, c.IsFixed)).ShouldBe([("CVE-2026-0001", true), ("CVE-2026-0002", false)]);

        (await paths.RevokeAsync(view.Path.Id, " ", "admin", Ct)).Errors.ShouldBe(["Say why the path is revoked; owners who chose it are told."]);
        (await paths.ListAsync(Ct)).Single().Path.State.ShouldBe(MigrationPathState.Proposed, "nothing stored");
        (await paths.RevokeAsync(view.Path.Id, "v2 breaks the GPU drivers", "admin", Ct)).Succeeded.ShouldBeTrue();
        (await paths.RevokeAsync(999_999, "why", "admin", Ct)).Missing.ShouldBeTrue();

        (await paths.RefreshAsync(Ct)).Proposed.ShouldBe(0);
        (await paths.ListAsync(Ct)).ShouldHaveSingleItem().Path.RevokeReason.ShouldBe("v2 breaks the GPU drivers");
    }

    [Fact]
    public async Task ADevImageOrAnImageWithoutAnEolGetsNoProposal()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        await WorkloadSeed.SeedAsync(database, Ct);
        var (paths, _, _) = Services(database);

        (await paths.RefreshAsync(Ct)).Proposed.ShouldBe(0, "v1 has no EOL: nobody needs to move");

        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-20));
        await using (var db = database.CreateDbContext())
        {
            var v2 = await db.Images.SingleAsync(i => i.Digest == V2Digest, Ct);
            v2.Classify(new Portal.Core.Inventory.Classification(Portal.Core.Inventory.ImageClass.Curated, "jupyterlab-cpu", Portal.Core.Inventory.Channel.Dev, "rule: notebooks", null));
            await db.SaveChangesAsync(Ct);
        }

        (await paths.RefreshAsync(Ct)).Proposed.ShouldBe(0, "a Dev-channel image is never proposed");
    }

    [Fact]
    public async Task OnlyNotebooksCanBeMigratedAndOnlyForAnImageTheyRun()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite, postgres);
        var ids = await WorkloadSeed.SeedAsync(database, Ct);
        await LifecycleServicesTests.AddFindingAsync(database, WorkloadSeed.V1Digest, Severity.Critical, Now.AddDays(-20));
        var (paths, choices, _) = Services(database);
        await paths.RefreshAsync(Ct);
        await paths.ApproveAsync((await paths.ListAsync(Ct)).Single().Path.Id, "admin", Ct);

        var bobs = await choices.ChooseAsync(new MigrationChoiceInput(WorkloadId(database, "bob-notebook"), ids.V1, Migrate: true), Bob, Ct);
        var unknown = await choices.ChooseAsync(new MigrationChoiceInput(999_999, ids.V1, Migrate: true), Alice, Ct);

        bobs.Errors.ShouldBe([$"bob/bob-notebook runs no image {ids.V1} with an approved replacement."]);
        unknown.Missing.ShouldBeTrue();
        await using var db = database.CreateDbContext();
        (await db.MigrationChoices.AnyAsync(Ct)).ShouldBeFalse();
    }

    private static (MigrationPaths Paths, MigrationChoices Choices, LifecyclePlanner Planner) Services(TestDatabase database)
    {
        var clock = new FakeTimeProvider(Now);
        var audit = new AuditLog(database, clock);
        var policies = new LifecyclePolicies(database, audit, clock);
        var planner = new LifecyclePlanner(database, policies, clock);
        var extensions = new Extensions(database, policies, new ImageLifecycles(database, policies, clock), audit, clock);
        var options = Options.Create(new NotificationOptions { PortalUrl = "https://images.example.com", AdminRecipients = ["admin@example.org"] });
        var alerts = new AdminAlerts(database, new NotificationTemplates(database, audit, options, clock), options, clock, NullLogger<AdminAlerts>.Instance);
        return (new MigrationPaths(database, planner, audit, alerts, clock), new MigrationChoices(database, extensions, audit, clock), planner);
    }

    private static long WorkloadId(TestDatabase database, string name)
    {
        using var db = database.CreateDbContext();
        return db.Workloads.Single(w => w.Name == name).Id;
    }
}
