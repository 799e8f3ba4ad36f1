using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Plan;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Tests.Components.Workloads;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Components.Lifecycle;

/// <summary>The Plan page previews the plan: actions per kind with their reasons, and what was left out and why.</summary>
public sealed class PlanPageTests(PostgresServer postgres) : WorkloadComponentContext(postgres)
{
    [Fact]
    public async Task ShowsTheStopOfANotebookOnAnExpiredImageAndTheRemindersToItsOwners()
    {
        await WorkloadSeed.SeedAsync(Database, Ct);
        await AddCriticalFindingAsync(daysAgo: 20);
        Register();

        var page = RenderAt<PlanPage>("plan");

        page.WaitForAssertion(() => page.Find("[data-testid=count-StopWorkload]").TextContent.Trim().ShouldBe("1"));
        var stop = page.Find("[data-testid=plan-StopWorkload] [data-testid=plan-action]");
        stop.TextContent.ShouldContain("alice/alice-notebook");
        stop.TextContent.ShouldContain("past its EOL of 2026-11-16");
        page.Find("[data-testid=count-NotifyOwner]").TextContent.Trim().ShouldBe("2");
        page.Find("[data-testid=state-Expired]").TextContent.ShouldContain("Expired: 1");
        page.Find("[data-testid=plan-summary]").TextContent.ShouldContain("defaults (never saved)");
    }

    [Fact]
    public async Task AHeldNotebookIsListedAsLeftOutWithTheHold()
    {
        var ids = await WorkloadSeed.SeedAsync(Database, Ct);
        await AddCriticalFindingAsync(daysAgo: 20);
        var holds = Register();
        await holds.PlaceAsync(new HoldInput(HoldSubjectKind.Image, ids.V1, HoldScope.Termination, "exam week", Now.AddDays(3)), "approver@example.org", Ct);

        var page = RenderAt<PlanPage>("plan");

        page.WaitForAssertion(() => page.Find("[data-testid=count-StopWorkload]").TextContent.Trim().ShouldBe("0"));
        page.Find("[data-testid=plan-StopWorkload] [data-testid=plan-kept]").TextContent
            .ShouldContain("stop skipped: hold until 2026-11-25 by approver@example.org: exam week");
    }

    private Holds Register()
    {
        Services.AddSingleton<LifecyclePolicies>();
        Services.AddSingleton<Holds>();
        Services.AddSingleton<LifecyclePlanner>();
        SignInAs(TestUser.Approver);
        return Services.GetRequiredService<Holds>();
    }

    private async Task AddCriticalFindingAsync(int daysAgo)
    {
        await using var db = Database.CreateDbContext();
        db.Findings.Add(Finding.Discover(WorkloadSeed.V1Digest,
            new ReportedFinding(FindingKind.Vulnerability, "CVE-2026-0001", "openssl", "3.0.1", "3.0.2", Severity.Critical, 9.8, null, "fixed", null, null, null),
            "Trivy", Now.AddDays(-daysAgo)));
        await db.SaveChangesAsync(Ct);
    }
}
