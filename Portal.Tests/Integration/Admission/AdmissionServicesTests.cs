using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Admission;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Registry;
using Portal.Features.Admission;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;
using Portal.Tests.Core.Admission;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Admission;

/// <summary>The admission view built from a real database (SQLite and PostgreSQL), the audited policy, and the decision log's queries.</summary>
public sealed class AdmissionServicesTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task TheViewKnowsImagesByTagAndDigestWithTheirStateScansMalwareAndReplacement(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ids = await AdmissionSeed.SeedAsync(database, Now, Ct);
        var (view, _, _) = Services(database);

        var index = await view.RefreshAsync(Ct);

        var stress = index.Find(ImageReference.Parse("jfusterm/stress"))!;
        stress.ImageId.ShouldBe(ids.Stress);
        stress.Name.ShouldBe("docker.io/jfusterm/stress");
        stress.Eol.ShouldBe(Now.AddDays(-16), "Curated, Critical: 14 days after first detection");
        stress.EolCause.ShouldBe("CVE-2026-0001 (Critical) in openssl");
        stress.Replacement.ShouldBe("docker.io/jfusterm/stress:v2");
        stress.Scanned.ShouldBeTrue();
        index.Find(ImageReference.Parse("index.docker.io/jfusterm/stress:unscanned"))!.Scanned.ShouldBeFalse();
        index.Find(ImageReference.Parse($"docker.io/jfusterm/stress@{AdmissionSeed.StressV2Digest}"))!.Eol.ShouldBeNull();
        var etcd = index.Find(ImageReference.Parse($"quay.io/anything@{AdmissionSeed.EtcdChildDigest}"))!;
        etcd.ImageId.ShouldBe(ids.Etcd, "a platform child answers for its index");
        etcd.MalwareSignature.ShouldBe("Eicar-Signature.UNOFFICIAL");
        etcd.Scanned.ShouldBeTrue("the index was scanned");
        index.Find(ImageReference.Parse("jfusterm/stress:v3")).ShouldBeNull();
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task AHoldOnTheImageReachesTheViewAndThePolicyIsVersionedAndAudited(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var ids = await AdmissionSeed.SeedAsync(database, Now, Ct);
        var (view, policies, _) = Services(database);
        var current = await policies.CurrentAsync(Ct);

        var invalid = await policies.SaveAsync(current with { ExemptNamespaces = ["Kube System"] }, "admin@example.org", Ct);
        var saved = await policies.SaveAsync(current with
        {
            Modes = new Dictionary<ImageClass, AdmissionMode> { [ImageClass.Curated] = AdmissionMode.Enforce },
            ExemptNamespaces = [" kube-system ", "kube-system", "monitoring"],
        }, "admin@example.org", Ct);
        var stale = await policies.SaveAsync(current, "other@example.org", Ct);
        await using (var db = database.CreateDbContext())
        {
            db.Holds.Add(Hold.Place(HoldSubjectKind.Image, ids.Stress, "jfusterm/stress:latest", HoldScope.Termination, "exam week", Now.AddDays(3),
                "approver@example.org", Now));
            await db.SaveChangesAsync(Ct);
        }

        var index = await view.RefreshAsync(Ct);

        invalid.Errors.ShouldBe(["Exempt namespace 'Kube System' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)."]);
        saved.Version.ShouldBe(1);
        stale.Conflict.ShouldBeTrue();
        index.Policy.Version.ShouldBe(1);
        index.Policy.ExemptNamespaces.ShouldBe(["kube-system", "monitoring"]);
        index.Find(ImageReference.Parse("jfusterm/stress"))!.Hold.ShouldBe(new AdmissionHold(Now.AddDays(3), "approver@example.org", "exam week"));
        await using var check = database.CreateDbContext();
        var audit = await check.AuditEntries.SingleAsync(e => e.Action == AuditActions.AdmissionPolicyChanged, Ct);
        audit.Subject.ShouldBe("admission policy version 1");
        audit.Before!.ShouldContain("\"Curated\":\"Warn\"");
        audit.After!.ShouldContain("\"Curated\":\"Enforce\"");
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task RecordedDecisionsAnswerTheReportAndTheDigest(DatabaseKind kind)
    {
        await using var database = await TestDatabase.CreateAsync(kind, postgres);
        var (_, _, decisions) = Services(database);
        await decisions.StartAsync(Ct);
        var request = AdmissionFixtures.Request(AdmissionFixtures.Review(AdmissionFixtures.Pod("stress2")));
        var refused = new AdmissionFinding("jfusterm/stress:latest", 1, ImageClass.Curated, AdmissionOutcome.Refused, true, "Image jfusterm/stress:latest is refused: expired.");
        var warned = refused with { Image = "jfusterm/stress:old", Outcome = AdmissionOutcome.Warned, Reason = "would be refused" };
        var heldWarning = warned with { Image = "jfusterm/stress:held", WouldRefuse = false, Reason = "held" };

        decisions.Enqueue(AdmissionDecisionRecord.From(request, refused, 2, Now.AddDays(-2)));
        decisions.Enqueue(AdmissionDecisionRecord.From(request, refused, 2, Now.AddHours(-1)));
        decisions.Enqueue(AdmissionDecisionRecord.From(request, warned, 2, Now.AddHours(-3)));
        decisions.Enqueue(AdmissionDecisionRecord.From(request, warned, 2, Now.AddHours(-2)));
        decisions.Enqueue(AdmissionDecisionRecord.From(request, heldWarning, 2, Now.AddHours(-2)));
        await decisions.FlushAsync(Ct);
        await decisions.StopAsync(Ct);

        (await decisions.RefusedSinceAsync(Now.AddDays(-1), Ct)).ShouldBe(
            [new RefusedWorkload("stress-test", "Pod stress2", "jfusterm/stress:latest", "Image jfusterm/stress:latest is refused: expired.", Now.AddHours(-1))]);
        var report = await decisions.WouldHaveRefusedAsync(Now.AddDays(-1), Ct);
        report.ShouldHaveSingleItem().ShouldBe(new WouldRefuseLine("jfusterm/stress:old", 1, "stress-test", "Pod stress2", 2, Now.AddHours(-2), "would be refused"));
        var page = await decisions.RecentAsync(null, false, "stress-test", 0, 2, Ct);
        page.TotalCount.ShouldBe(5);
        page.Items.Select(d => d.Image).ShouldBe(["jfusterm/stress:latest", "jfusterm/stress:held"], "newest first, the later recorded of two at one time first");
    }

    private static (AdmissionView View, AdmissionPolicies Policies, AdmissionDecisions Decisions) Services(TestDatabase database)
    {
        var clock = new FakeTimeProvider(Now);
        var audit = new AuditLog(database, clock);
        var policies = new AdmissionPolicies(database, audit, clock);
        var planner = new LifecyclePlanner(database, new LifecyclePolicies(database, audit, clock), clock);
        var view = new AdmissionView(database, new EstateChanges(), planner, policies, clock, Options.Create(new AdmissionOptions()), NullLogger<AdmissionView>.Instance);
        return (view, policies, new AdmissionDecisions(database, NullLogger<AdmissionDecisions>.Instance));
    }
}
